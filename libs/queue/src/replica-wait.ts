import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-connection';

/**
 * Replication in a Redis Cluster is asynchronous: a job its master took is lost if the master dies
 * before its replica has it, since the failover promotes the replica without it. After writes the
 * database cannot redo (jobs on a subscriber's queue), waiting for one replica (WAIT) narrows that
 * loss to a master and its replica failing together. Best effort: after `timeoutMs` the write
 * stands as it is. Nothing to wait for on a single node, or for a master without replicas.
 */
export class ReplicaWait {
  private slot: number | undefined;

  /** `key`: one key of the written slot (the hash-tagged QUEUE_PREFIX). */
  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly timeoutMs = 200,
  ) {}

  /**
   * True once a replica has every write this client sent to the key's master (or there is none to
   * wait for); false when none confirmed within `timeoutMs` (best effort: the write stands).
   * Throws when the master could not be asked (it died, the cluster is failing over): the write
   * may be lost with it, so the caller must not count it as done, and writes it again later.
   */
  async settle(): Promise<boolean> {
    if (!(this.client instanceof Cluster)) return true;
    this.slot ??= await this.client.cluster('KEYSLOT', this.key);
    const [masterKey, ...replicaKeys] = this.client.slots[this.slot] ?? [];
    if (replicaKeys.length === 0) return true;
    // WAIT counts the writes of the connection it is sent on: the cluster's own connection to that master.
    const master = this.client.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === masterKey);
    if (master === undefined) throw new Error(`the master of slot ${this.slot} is not known to the cluster client: its writes are not confirmed`);
    return (await master.wait(1, this.timeoutMs)) >= 1;
  }
}

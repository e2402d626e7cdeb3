import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@kyc/testing';
import { waitFor } from './processes';

const run = promisify(execFile);

/** One redis-server of the cluster: its client port, its cluster bus port, its folder (nodes.conf, append-only file). */
export interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  process?: ChildProcess;
}

/** Every running cluster, killed on exit whatever happens to the test (a crash, a timeout, Ctrl-C). */
const running = new Set<RedisCluster>();
process.once('exit', () => running.forEach((cluster) => cluster.killAll()));

/**
 * A throw-away Redis Cluster of its own: `masters` masters with one replica each, on free ports,
 * append-only, in a temporary folder. `stop()` kills every node and removes the folder; it is also
 * run when the start fails half way, and at process exit for a cluster a test forgot.
 */
export class RedisCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'kyc-redis-cluster-'));

  private constructor() {}

  static async start(masters = 3, nodeTimeoutMs = 2_000): Promise<RedisCluster> {
    const cluster = new RedisCluster();
    running.add(cluster);
    try {
      const taken = new Set<number>();
      const port = async () => {
        let candidate: number;
        do candidate = await freePort();
        while (taken.has(candidate));
        taken.add(candidate);
        return candidate;
      };
      for (let index = 0; index < masters * 2; index++) {
        const node: ClusterNode = { port: await port(), busPort: await port(), dir: join(cluster.dir, `node-${index}`) };
        mkdirSync(node.dir);
        cluster.nodes.push(node);
      }
      await Promise.all(cluster.nodes.map((node) => cluster.launch(node, nodeTimeoutMs)));
      await run('redis-cli', ['--cluster', 'create', ...cluster.nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '1', '--cluster-yes']);
      await cluster.waitHealthy(30_000);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** REDIS_CLUSTER_NODES for this cluster. */
  get nodeList(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** Runs `redis-cli` against a node; its output. */
  async cli(node: ClusterNode, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(node.port), ...args], { timeout: 5_000 });
    return stdout;
  }

  /** The node serving `key` as master right now, asked of any node that answers. */
  async masterOf(key: string): Promise<ClusterNode> {
    const node = this.alive()[0];
    const slot = Number((await this.cli(node, 'cluster', 'keyslot', key)).trim());
    for (const line of (await this.cli(node, 'cluster', 'nodes')).split('\n')) {
      const [, address, flags, , , , , , ...ranges] = line.split(' ');
      if (!flags?.split(',').includes('master') || flags.includes('fail')) continue;
      const serves = ranges.some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from && slot <= to;
      });
      const port = Number(address.split('@')[0].split(':')[1]);
      if (serves) return this.nodes.find((candidate) => candidate.port === port)!;
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILL one node (a crash: no chance to hand over), its files kept. */
  async kill(node: ClusterNode): Promise<void> {
    const child = node.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    node.process = undefined;
  }

  /** Start a killed node again on its files: it rejoins the cluster (as a replica if it was failed over). */
  restart(node: ClusterNode, nodeTimeoutMs = 2_000): Promise<void> {
    return this.launch(node, nodeTimeoutMs);
  }

  /** Until every running node says the cluster is ok and every replica's link to its master is up. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.alive()) {
          const info = await this.cli(node, 'cluster', 'info').catch(() => '');
          if (!info.includes('cluster_state:ok')) return false;
          const replication = await this.cli(node, 'info', 'replication').catch(() => '');
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
        }
        return true;
      },
      timeoutMs,
      'the Redis Cluster did not become healthy',
      200,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node)));
    rmSync(this.dir, { recursive: true, force: true });
    running.delete(this);
  }

  /** Synchronous last resort (process exit): no waiting, no cleanup beyond the kill and the folder. */
  killAll(): void {
    for (const node of this.nodes) node.process?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private alive(): ClusterNode[] {
    return this.nodes.filter((node) => node.process !== undefined);
  }

  private async launch(node: ClusterNode, nodeTimeoutMs: number): Promise<void> {
    node.process = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--cluster-port',
        String(node.busPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        node.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        '--appendonly',
        'yes',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await this.cli(node, 'ping').catch(() => '')).trim() === 'PONG', 15_000, `redis-server on ${node.port} did not start`, 100);
  }
}

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

/**
 * Metrics of a gateway run as several processes (GATEWAY_PROCESSES > 1, node:cluster). A scrape
 * lands on one child; it must report the whole gateway. The child answering /metrics asks the
 * primary (`scrape`), the primary asks every child that is listening for its registry as JSON
 * (`collect`) and merges them with prom-client's `AggregatorRegistry.aggregate`: counters and
 * histograms are summed, and each metric's `aggregator` option says otherwise (the gauges read
 * from the database or Redis on scrape are `first`: every child reads the same value). Our own
 * messages rather than prom-client's `clusterMetrics()`, which asks every connected child, and
 * so waits 5 s and fails the whole scrape on a child still booting that cannot answer yet.
 */
const SCRAPE = 'kyc:metrics:scrape';
const SCRAPED = 'kyc:metrics:scraped';
const COLLECT = 'kyc:metrics:collect';
const COLLECTED = 'kyc:metrics:collected';

/** A child that has not answered by then fails the scrape (a gap Prometheus shows, not wrong totals). */
export const CLUSTER_COLLECT_TIMEOUT_MS = 5_000;

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
interface Message {
  type?: unknown;
  id?: unknown;
}

/** In a child: hand this registry to the primary when it collects. */
export function answerClusterCollects(registry: Registry): void {
  process.on('message', (message: Message) => {
    if (message?.type !== COLLECT) return;
    registry
      .getMetricsAsJSON()
      .then((metrics) => toPrimary({ type: COLLECTED, id: message.id, metrics }))
      .catch((error: Error) => toPrimary({ type: COLLECTED, id: message.id, error: error.message }));
  });
}

/** With a callback: a channel closed meanwhile (the primary gone, this process about to follow) is no uncaught 'error'. */
function toPrimary(message: object): void {
  process.send?.(message, undefined, undefined, () => undefined);
}

let nextScrape = 0;

/** In a child: the whole gateway's metrics, as Prometheus text, from the primary. */
export function scrapeCluster(): Promise<string> {
  const id = nextScrape++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message & { text?: string; error?: string }) => {
      if (message?.type !== SCRAPED || message.id !== id) return;
      settle();
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(`metrics of the gateway's processes: ${message.error ?? 'no answer'}`));
    };
    // The primary's own timeout comes first; this one covers a primary that never answers.
    const timer = setTimeout(() => {
      settle();
      reject(new Error('metrics of the gateway processes: the primary did not answer'));
    }, CLUSTER_COLLECT_TIMEOUT_MS + 1_000);
    const settle = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    toPrimary({ type: SCRAPE, id });
  });
}

/**
 * In the primary: answer the children's scrapes with the aggregate of `listening()` (the children
 * serving HTTP, whose registries exist). A child that exits while asked is left out: its counts
 * are gone with it, as a restarted single process's are.
 */
export function serveClusterScrapes(listening: () => Iterable<Worker>): void {
  let nextCollect = 0;
  const pending = new Map<number, { waiting: Set<number>; metrics: Metrics[]; done: (error?: string) => void }>();

  cluster.on('message', (worker: Worker, message: Message & { metrics?: Metrics; error?: string }) => {
    if (message?.type === SCRAPE) return void collect(worker, message.id);
    if (message?.type !== COLLECTED) return;
    const request = pending.get(message.id as number);
    if (!request?.waiting.delete(worker.id)) return;
    if (message.metrics) request.metrics.push(message.metrics);
    else return request.done(message.error ?? 'a process failed to collect');
    if (request.waiting.size === 0) request.done();
  });
  cluster.on('exit', (worker: Worker) => {
    for (const request of pending.values()) if (request.waiting.delete(worker.id) && request.waiting.size === 0) request.done();
  });

  function collect(asker: Worker, scrapeId: unknown): void {
    const id = nextCollect++;
    const workers = [...listening()].filter((worker) => worker.isConnected());
    const reply = (answer: { text: string } | { error: string }) => {
      if (asker.isConnected()) asker.send({ type: SCRAPED, id: scrapeId, ...answer });
    };
    const timer = setTimeout(() => done(`no answer within ${CLUSTER_COLLECT_TIMEOUT_MS} ms`), CLUSTER_COLLECT_TIMEOUT_MS);
    const state = { waiting: new Set(workers.map((worker) => worker.id)), metrics: [] as Metrics[], done };
    pending.set(id, state);
    function done(error?: string): void {
      if (!pending.delete(id)) return;
      clearTimeout(timer);
      if (error !== undefined) return reply({ error });
      AggregatorRegistry.aggregate(state.metrics)
        .metrics()
        .then((text) => reply({ text }))
        .catch((failure: Error) => reply({ error: failure.message }));
    }
    for (const worker of workers) worker.send({ type: COLLECT, id });
    if (workers.length === 0) done();
  }
}

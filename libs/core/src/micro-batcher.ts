/** Writes a batch; returns one result per item, in order. */
export type BatchWrite<Item, Result> = (items: Item[]) => Promise<Result[]>;

export interface MicroBatcherOptions {
  /** Most items in one write. */
  maxBatchSize: number;
  /** Writes in flight at once; items submitted while every slot is busy wait for the next write. */
  maxInFlight: number;
  /** Most items waiting for a write slot (default: no bound); past it `submit` rejects at once with MicroBatcherFullError. */
  maxWaiting?: number;
}

/** The batcher already holds `maxWaiting` items: the store is not keeping up (or hangs). */
export class MicroBatcherFullError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} writes already waiting`);
    this.name = 'MicroBatcherFullError';
  }
}

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted in the same turn of the event loop, or while every write slot is
 * busy, go out together in one write. No timer: an idle batcher writes at once, so batching costs
 * no latency, and under load the batch grows with it (one commit, one round trip for many).
 * Each submitter gets its own item's result or the write's error, or MicroBatcherFullError at
 * once while `maxWaiting` items already wait.
 */
export class MicroBatcher<Item, Result> {
  private queue: Pending<Item, Result>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly write: BatchWrite<Item, Result>,
    private readonly options: MicroBatcherOptions,
  ) {}

  submit(item: Item): Promise<Result> {
    // Bounded: a hung database must not grow memory without limit, one waiting request at a time.
    if (this.queue.length >= (this.options.maxWaiting ?? Infinity)) return Promise.reject(new MicroBatcherFullError(this.queue.length));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a write slot. */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current I/O phase, so requests parsed in the same turn share the write.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Pending<Item, Result>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((pending) => pending.item));
      if (results.length !== batch.length) throw new Error(`batch write returned ${results.length} results for ${batch.length} items`);
      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}

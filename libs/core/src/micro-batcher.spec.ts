import { MicroBatcher, MicroBatcherFullError } from './micro-batcher';

/** A write that records its batches and resolves when told to. */
function recordingWrite() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<number[]>((resolve) => releases.push(() => resolve(items.map((item) => item * 10))));
  };
  return { batches, releases, write };
}

/** A few turns of the event loop: enough for a finished write to start the next. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('MicroBatcher', () => {
  it('writes items submitted in the same turn together and gives each its own result', async () => {
    const { batches, releases, write } = recordingWrite();
    const batcher = new MicroBatcher(write, { maxBatchSize: 100, maxInFlight: 1, maxWaiting: 1_000 });
    const results = [1, 2, 3].map((item) => batcher.submit(item));
    await settle();
    expect(batches).toEqual([[1, 2, 3]]);
    releases[0]();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });

  it('writes a lone item at once, with no timer to wait for', async () => {
    const { batches, releases, write } = recordingWrite();
    const batcher = new MicroBatcher(write, { maxBatchSize: 100, maxInFlight: 1, maxWaiting: 1_000 });
    const result = batcher.submit(7);
    await settle();
    expect(batches).toEqual([[7]]);
    releases[0]();
    expect(await result).toBe(70);
  });

  it('gathers what arrives while every slot is busy into the next write, up to the batch size', async () => {
    const { batches, releases, write } = recordingWrite();
    const batcher = new MicroBatcher(write, { maxBatchSize: 2, maxInFlight: 1, maxWaiting: 1_000 });
    const first = batcher.submit(1);
    await settle();
    const later = [2, 3, 4].map((item) => batcher.submit(item));
    await settle();
    expect(batches).toEqual([[1]]);
    expect(batcher.waiting).toBe(3);
    releases[0]();
    await first;
    await settle();
    expect(batches).toEqual([[1], [2, 3]]);
    releases[1]();
    await settle();
    expect(batches).toEqual([[1], [2, 3], [4]]);
    releases[2]();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('keeps up to maxInFlight writes going at once', async () => {
    const { batches, write } = recordingWrite();
    const batcher = new MicroBatcher(write, { maxBatchSize: 1, maxInFlight: 2, maxWaiting: 1_000 });
    [1, 2, 3].forEach((item) => void batcher.submit(item));
    await settle();
    expect(batches).toEqual([[1], [2]]);
    expect(batcher.waiting).toBe(1);
  });

  it('rejects every item of a failed write, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (calls++ === 0) throw new Error('database away');
        return items;
      },
      { maxBatchSize: 10, maxInFlight: 1, maxWaiting: 1_000 },
    );
    const failed = [1, 2].map((item) => batcher.submit(item));
    await expect(failed[0]).rejects.toThrow('database away');
    await expect(failed[1]).rejects.toThrow('database away');
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('rejects when the write returns a result count that does not match', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [], { maxBatchSize: 10, maxInFlight: 1, maxWaiting: 1_000 });
    await expect(batcher.submit(1)).rejects.toThrow('0 results for 1 items');
  });

  it('rejects at once, past maxWaiting, while the writes hang; takes items again once they drain', async () => {
    const { batches, releases, write } = recordingWrite();
    const batcher = new MicroBatcher(write, { maxBatchSize: 2, maxInFlight: 1, maxWaiting: 3 });
    const first = batcher.submit(1);
    await settle();
    // The first write hangs: three more wait, the fourth is refused without waiting.
    const waiting = [2, 3, 4].map((item) => batcher.submit(item));
    await expect(batcher.submit(5)).rejects.toBeInstanceOf(MicroBatcherFullError);
    expect(batcher.waiting).toBe(3);
    expect(batches).toEqual([[1]]);
    releases[0]();
    await first;
    await settle();
    expect(batcher.waiting).toBe(1);
    const later = batcher.submit(6);
    releases[1]();
    await settle();
    releases[2]();
    expect(await Promise.all([...waiting, later])).toEqual([20, 30, 40, 60]);
  });
});

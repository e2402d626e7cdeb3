import { ReloadingCache } from './reloading-cache';

/** A cache of a list of names whose store answers whatever the test says next. */
class NamesCache extends ReloadingCache<string[]> {
  answers: Array<() => Promise<string[]>> = [];
  fetches = 0;
  replacements: Array<[string[], string[]]> = [];

  constructor() {
    super('names', []);
  }

  get names(): string[] {
    return this.snapshot;
  }

  protected fetch(): Promise<string[]> {
    this.fetches++;
    return this.answers.shift()!();
  }

  protected override replaced(previous: string[], next: string[]): void {
    this.replacements.push([previous, next]);
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('ReloadingCache', () => {
  let cache: NamesCache;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    cache = new NamesCache();
    warn = jest.spyOn(cache['logger'], 'warn').mockImplementation(() => undefined);
  });

  it('serves the empty snapshot, then each load, telling what it replaced', async () => {
    expect(cache.names).toEqual([]);
    cache.answers.push(
      async () => ['a'],
      async () => ['a', 'b'],
    );
    await cache.reload();
    await cache.reload();
    expect(cache.names).toEqual(['a', 'b']);
    expect(cache.replacements).toEqual([
      [[], ['a']],
      [['a'], ['a', 'b']],
    ]);
  });

  it('runs one load at a time: reloads meanwhile join it, the old snapshot is served until it ends', async () => {
    cache.answers.push(async () => ['old']);
    await cache.reload();
    const slow = deferred<string[]>();
    cache.answers.push(() => slow.promise);
    const first = cache.reload();
    const second = cache.reload();
    expect(cache.names).toEqual(['old']);
    slow.resolve(['new']);
    await Promise.all([first, second]);
    expect(cache.fetches).toBe(2);
    expect(cache.names).toEqual(['new']);
  });

  it('keeps the snapshot when a load fails, says so, and throws to the caller', async () => {
    cache.answers.push(
      async () => ['kept'],
      () => Promise.reject(new Error('database down')),
    );
    await cache.reload();
    await expect(cache.reload()).rejects.toThrow('database down');
    expect(cache.names).toEqual(['kept']);
    expect(warn).toHaveBeenCalledWith('could not reload names, keeping the cached ones: database down');
  });

  it('invalidate waits for the load in progress, then loads anew, and never throws', async () => {
    const running = deferred<string[]>();
    cache.answers.push(
      () => running.promise,
      () => Promise.reject(new Error('database down')),
    );
    const before = cache.reload();
    const invalidated = cache.invalidate();
    running.resolve(['read before the change']);
    await before;
    await expect(invalidated).resolves.toBeUndefined();
    expect(cache.fetches).toBe(2);
    expect(cache.names).toEqual(['read before the change']);
  });
});

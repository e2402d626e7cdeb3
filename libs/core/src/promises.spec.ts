import { sleep, withTimeout } from './promises';

describe('withTimeout', () => {
  it('settles with the promise when it is first', async () => {
    await expect(withTimeout(Promise.resolve('answer'), 50, () => 'late')).resolves.toBe('answer');
    await expect(withTimeout(Promise.reject(new Error('broken')), 50, () => 'late')).rejects.toThrow('broken');
  });

  it('settles with the fallback, or its error, when the time runs out first', async () => {
    await expect(
      withTimeout(
        sleep(200).then(() => true),
        10,
        () => false,
      ),
    ).resolves.toBe(false);
    await expect(
      withTimeout(sleep(200), 10, () => {
        throw new Error('no answer within 10 ms');
      }),
    ).rejects.toThrow('no answer within 10 ms');
  });
});

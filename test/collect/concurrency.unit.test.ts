import { mapWithConcurrency } from '../../lambda/core/collect/concurrency';

describe('mapWithConcurrency', () => {
  it('keeps results in input order whatever order the work finishes in', async () => {
    // Prepare
    const delays = [30, 5, 20, 1, 10];

    // Act
    const results = await mapWithConcurrency(delays, 3, async (ms, index) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `${index}:${ms}`;
    });

    // Assess
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
  });

  it('never has more than the limit in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;

    // Act
    await mapWithConcurrency(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    );

    // Assess
    expect(peak).toBe(4);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    // Prepare
    const started: number[] = [];

    // Act
    const attempt = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('item 1 failed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    });

    // Assess
    await expect(attempt).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
  });

  it('returns an empty list for no items, and refuses a limit below 1', async () => {
    // Act
    const none = await mapWithConcurrency([], 3, async () => 1);
    const attempt = mapWithConcurrency([1], 0, async () => 1);

    // Assess
    expect(none).toEqual([]);
    await expect(attempt).rejects.toThrow('limit is 0; allowed: a whole number of at least 1');
  });
});

import { AsyncChannel } from '../../lambda/core/collect/async-channel';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AsyncChannel', () => {
  it('holds producers back once full, and lets them on as the consumer takes items', async () => {
    // Prepare
    const channel = new AsyncChannel<number>(2);
    const pushed: number[] = [];
    const producing = (async () => {
      for (let i = 0; i < 5; i++) {
        await channel.push(i);
        pushed.push(i);
      }
      channel.close();
    })();

    // Act
    await tick();
    const pushedBeforeReading = [...pushed];
    const received: number[] = [];
    for await (const item of channel) received.push(item);
    await producing;

    // Assess
    expect(pushedBeforeReading).toEqual([0, 1]);
    expect(received).toEqual([0, 1, 2, 3, 4]);
  });

  it('delivers the items queued before a failure, then throws it', async () => {
    // Prepare
    const channel = new AsyncChannel<string>(10);
    await channel.push('a');
    await channel.push('b');
    channel.fail(new Error('Describe failed'));
    const received: string[] = [];

    // Act
    const consume = (async () => {
      for await (const item of channel) received.push(item);
    })();

    // Assess
    await expect(consume).rejects.toThrow('Describe failed');
    expect(received).toEqual(['a', 'b']);
  });

  it('closes when its consumer stops early, releasing a producer that waits for room', async () => {
    // Prepare
    const channel = new AsyncChannel<number>(1);
    await channel.push(1);
    const blocked = channel.push(2);

    // Act
    for await (const item of channel) {
      expect(item).toBe(1);
      break;
    }

    // Assess
    await expect(blocked).resolves.toBeUndefined();
    expect(channel.isClosed).toBe(true);
  });

  it('gives each item to exactly one of several consumers', async () => {
    // Prepare
    const channel = new AsyncChannel<number>(4);
    const seen: number[][] = [[], [], []];
    const consumers = seen.map(async (mine) => {
      for await (const item of channel) {
        mine.push(item);
        await tick();
      }
    });

    // Act
    for (let i = 0; i < 30; i++) await channel.push(i);
    channel.close();
    await Promise.all(consumers);

    // Assess
    expect(seen.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(seen.every((items) => items.length > 0)).toBe(true);
  });

  it('drops what is pushed after it was closed', async () => {
    // Prepare
    const channel = new AsyncChannel<number>(2);
    channel.close();

    // Act
    await channel.push(1);
    const received: number[] = [];
    for await (const item of channel) received.push(item);

    // Assess
    expect(received).toEqual([]);
  });
});

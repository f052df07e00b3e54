import { WorkQueue } from '../../lambda/core/collect/work-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A worker that records what it takes, and may wait on `gate` while it holds an item. */
function worker(queue: WorkQueue<string>, taken: string[], gate?: Promise<void>): Promise<void> {
  return (async () => {
    for await (const item of queue) {
      taken.push(item);
      if (gate) await gate;
    }
  })();
}

describe('WorkQueue', () => {
  it('hands each item to one worker, in the order the items were added', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    for (const item of ['a', 'b', 'c', 'd', 'e']) queue.add(item);
    queue.seal();
    const first: string[] = [];
    const second: string[] = [];

    // Act
    await Promise.all([worker(queue, first), worker(queue, second)]);

    // Assess
    expect([...first, ...second].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(first).toEqual([...first].sort());
    expect(second).toEqual([...second].sort());
  });

  it('keeps an idle worker waiting until a producer adds work, and ends it once sealed and empty', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    const taken: string[] = [];
    let finished = false;
    const working = worker(queue, taken).then(() => (finished = true));

    // Act
    await tick();
    const finishedWhileOpen = finished;
    queue.add('job-1');
    await tick();
    const takenBeforeSeal = [...taken];
    queue.seal();
    await working;

    // Assess
    expect(finishedWhileOpen).toBe(false);
    expect(takenBeforeSeal).toEqual(['job-1']);
    expect(finished).toBe(true);
  });

  it('does not end while a worker holds an item, so what that worker puts back is still taken', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    queue.add('job-1');
    queue.seal();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const taken: string[] = [];
    const holder = (async () => {
      for await (const item of queue) {
        taken.push(item);
        await released;
        if (item === 'job-1') queue.putBack('job-1-again');
      }
    })();
    await tick();
    let idleFinished = false;
    const idle = worker(queue, taken).then(() => (idleFinished = true));

    // Act
    await tick();
    const idleFinishedWhileHeld = idleFinished;
    release();
    await Promise.all([holder, idle]);

    // Assess
    expect(idleFinishedWhileHeld).toBe(false);
    expect(taken).toEqual(['job-1', 'job-1-again']);
  });

  it('puts an item back at the front of the line', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    queue.add('b');
    queue.add('c');
    const taken: string[] = [];

    // Act
    queue.putBack('a');
    queue.seal();
    await worker(queue, taken);

    // Assess
    expect(taken).toEqual(['a', 'b', 'c']);
  });

  it('asks for a last round once drained, and ends when the round adds nothing', async () => {
    // Prepare
    const rounds: string[][] = [['retry-1', 'retry-2'], []];
    let asked = 0;
    const queue = new WorkQueue<string>(() => rounds[asked++] ?? []);
    queue.add('job-1');
    queue.seal();
    const taken: string[] = [];

    // Act
    await Promise.all([worker(queue, taken), worker(queue, taken)]);

    // Assess
    expect(taken.sort()).toEqual(['job-1', 'retry-1', 'retry-2']);
    expect(asked).toBe(2);
  });

  it('hands a last round out once, though several idle workers find the queue drained at the same moment', async () => {
    // Prepare: the round offers what is not yet finished, as the run's deferred jobs are.
    const finished = new Set<string>();
    let asked = 0;
    const queue = new WorkQueue<string>(() => {
      asked++;
      return ['deferred-job'].filter((name) => !finished.has(name));
    });
    queue.seal();
    const taken: string[] = [];
    const record = async () => {
      for await (const item of queue) {
        taken.push(item);
        await tick();
        finished.add(item);
      }
    };

    // Act
    await Promise.all(Array.from({ length: 8 }, record));

    // Assess
    expect(taken).toEqual(['deferred-job']);
    expect(asked).toBe(2);
  });

  it('ends every worker when stopped, including one waiting, and keeps the items not taken', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    const taken: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    queue.add('job-1');
    const busy = worker(queue, taken, gate);
    const waiting = worker(queue, taken);
    await tick();

    // Act
    queue.stop();
    queue.add('job-2');
    queue.add('job-3');
    release();
    await Promise.all([busy, waiting]);

    // Assess
    expect(taken).toEqual(['job-1']);
    expect(queue.size).toBe(2);
    expect(queue.has('job-2')).toBe(true);
    expect(queue.has('job-1')).toBe(false);
  });

  it('releases the item of a worker that leaves the loop, so the queue can end for the others', async () => {
    // Prepare
    const queue = new WorkQueue<string>();
    queue.add('job-1');
    queue.seal();
    const taken: string[] = [];
    const leaving = (async () => {
      for await (const item of queue) {
        await tick();
        throw new Error(`describing ${item} failed`);
      }
    })();
    const other = worker(queue, taken);

    // Act
    const outcome = await Promise.allSettled([leaving, other]);

    // Assess
    expect(outcome.map((settled) => settled.status)).toEqual(['rejected', 'fulfilled']);
    expect(taken).toEqual([]);
  });
});

/**
 * Work handed from producers to a pool of workers, and the one place that knows when the work is over.
 * Each worker iterates the queue (`for await (const item of queue)`); each item goes to one worker, which
 * holds it until it asks for the next or leaves the loop. The queue ends for every worker once it is
 * sealed (no producer adds more), empty, and no worker holds an item: a worker still busy may yet give
 * work back, and `onDrained` may add a last round then. `stop()` ends it at once and keeps what is left.
 *
 * Unlike AsyncChannel it has no bound (its items are names, and producers must not wait on workers),
 * an item a worker could not finish goes back to the front, and the items left are readable: they are
 * what a later invocation continues with.
 */
export class WorkQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly waitingWorkers: (() => void)[] = [];
  private held = 0;
  private sealed = false;
  private ended = false;

  /**
   * @param onDrained called once the queue is sealed, empty and idle; what it returns is queued as
   * more work, and once it returns nothing the queue ends.
   */
  constructor(private readonly onDrained: () => readonly T[] = () => []) {}

  add(item: T): void {
    this.items.push(item);
    this.wakeWorkers();
  }

  /** An item a worker took and could not finish: first in line again. */
  putBack(item: T): void {
    this.items.unshift(item);
    this.wakeWorkers();
  }

  /** No producer adds more; the queue ends once it is empty and idle. */
  seal(): void {
    this.sealed = true;
    this.wakeWorkers();
  }

  /** Ends the queue for every worker now; the items not taken stay. */
  stop(): void {
    this.ended = true;
    this.wakeWorkers();
  }

  /** Items not yet taken. */
  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.items.includes(item);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = await this.take();
      if (!next) return;
      try {
        yield next.item;
      } finally {
        this.held--;
        this.wakeWorkers();
      }
    }
  }

  private async take(): Promise<{ item: T } | undefined> {
    for (;;) {
      if (this.ended) return undefined;
      // Held from the moment it is taken: counted only once the caller resumed, another worker finding
      // the queue empty in between would see it idle and hand out the last round a second time.
      if (this.items.length > 0) {
        this.held++;
        return { item: this.items.shift()! };
      }
      if (this.sealed && this.held === 0) this.refill();
      else await new Promise<void>((resolve) => this.waitingWorkers.push(resolve));
    }
  }

  private refill(): void {
    const more = this.onDrained();
    if (more.length === 0) return this.stop();
    this.items.push(...more);
    this.wakeWorkers();
  }

  private wakeWorkers(): void {
    for (const wake of this.waitingWorkers.splice(0)) wake();
  }
}

/**
 * A bounded queue: producers `await push()` and wait while it is full, so a slow Parquet writer
 * slows the describe workers instead of letting responses pile up in memory. Several consumers may
 * iterate it at once (the describe workers share one queue of job names); each item goes to one.
 * A consumer that stops early closes the channel, which releases every waiting producer.
 */
export class AsyncChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly waitingProducers: (() => void)[] = [];
  private readonly waitingConsumers: (() => void)[] = [];
  private closed = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.closed) return;
    this.items.push(item);
    this.wakeConsumers();
  }

  /** True once closed by a producer, a failure, or a consumer that stopped early. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.wakeConsumers();
    this.wakeProducers();
  }

  /** Ends the stream with an error; the consumer sees it after the items already queued. */
  fail(error: unknown): void {
    if (!this.failure) this.failure = { error };
    this.close();
  }

  private wakeConsumers(): void {
    for (const wake of this.waitingConsumers.splice(0)) wake();
  }

  private wakeProducers(): void {
    for (const wake of this.waitingProducers.splice(0)) wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.items.length > 0) {
          const item = this.items.shift()!;
          this.wakeProducers();
          yield item;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waitingConsumers.push(resolve));
      }
    } finally {
      if (!this.closed) this.close();
    }
  }
}

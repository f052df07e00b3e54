import type { SnapshotEvents, SnapshotTarget, TargetAdvance, TargetResult } from '../lambda/core/pipeline/snapshot';

export interface ProgressOptions {
  /** A terminal: one progress bar, redrawn in place. Otherwise one line every `everyMs`. */
  readonly tty: boolean;
  /** Milliseconds between lines when stderr is not a terminal. @default 5000 */
  readonly everyMs?: number;
  /** Columns of the terminal. @default 80 */
  readonly columns?: number;
}

/** How often the bar is redrawn on a terminal: often enough to move, seldom enough to cost nothing. */
const REDRAW_MS = 200;

const keyOf = (target: SnapshotTarget) => `${target.accountId}/${target.region}`;

/**
 * A snapshot's progress on stderr: a bar on a terminal; a line every few seconds otherwise (a CI log, a
 * file, systemd), so a long run is never silent. Warnings go through `write`, so they never tear the bar.
 */
export class ProgressDisplay {
  private readonly targets = new Map<string, { advance?: TargetAdvance; result?: TargetResult }>();
  private targetCount: number | undefined;
  private readonly started = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private barShown = false;

  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly options: ProgressOptions,
  ) {}

  /** The events of `runSnapshot` that feed the display; `warning` writes through it. */
  events(): SnapshotEvents {
    return {
      targetsResolved: (targets) => {
        this.targetCount = targets.length;
        this.start();
      },
      targetStarted: (target) => this.targets.set(keyOf(target), {}),
      advanced: (advance) => this.targets.set(keyOf(advance), { advance }),
      targetFinished: (result) => this.targets.set(keyOf(result), { ...this.targets.get(keyOf(result)), result }),
      warning: (message, details) => this.write(`warning: ${message} ${JSON.stringify(details)}\n`),
    };
  }

  /** Writes `text` to stderr, the bar cleared first and drawn again after. */
  write(text: string): void {
    this.clearBar();
    this.err.write(text);
    if (this.timer) this.drawBar();
  }

  /** Stops the display and clears the bar; the report follows on a clean line. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clearBar();
  }

  private start(): void {
    if (this.timer) return;
    const every = this.options.tty ? REDRAW_MS : (this.options.everyMs ?? 5000);
    this.timer = setInterval(() => (this.options.tty ? this.drawBar() : this.err.write(`${this.line()}\n`)), every);
    // The display never keeps the process alive on its own.
    this.timer.unref();
  }

  /** What the display shows: targets done and running, and jobs described of those known to need it. */
  private counts() {
    const entries = [...this.targets.values()];
    const running = entries.filter((entry) => !entry.result);
    const described = sum(entries, (entry) => entry.result?.jobsDescribed ?? entry.advance?.jobsDescribed ?? 0);
    return {
      done: entries.length - running.length,
      running: running.length,
      described,
      known: described + sum(running, (entry) => entry.advance?.jobsToDescribe ?? 0),
      listing: running.some((entry) => !entry.advance?.listingDone),
    };
  }

  /** `[12 s] 1 of 4 (account, region) done, 2 running · 1840 jobs described of 2360 to describe so far (still listing)` */
  line(): string {
    const { done, running, described, known, listing } = this.counts();
    const total = this.targetCount === undefined ? '' : ` of ${this.targetCount}`;
    return (
      `[${elapsed(Date.now() - this.started)}] ${done}${total} (account, region) done, ${running} running · ` +
      `${described} jobs described of ${known} to describe so far${listing ? ' (still listing)' : ''}`
    );
  }

  private drawBar(): void {
    const { described, known } = this.counts();
    const text = ` ${this.line()}`;
    const columns = Math.max(40, this.options.columns ?? 80);
    const width = Math.max(10, Math.min(30, columns - text.length - 3));
    const filled = known === 0 ? 0 : Math.round((described / known) * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${text}`;
    // \r and "erase line" redraw in place; the text is cut to the terminal so it never wraps.
    this.err.write(`\r\x1b[2K${bar.slice(0, columns - 1)}`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (!this.barShown) return;
    this.err.write('\r\x1b[2K');
    this.barShown = false;
  }
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

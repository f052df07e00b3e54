import { Writable } from 'node:stream';
import { ProgressDisplay } from '../../cli/progress';
import type { TargetAdvance } from '../../lambda/core/pipeline/snapshot';

const EAST = { accountId: '123456789012', region: 'us-east-1' };
const WEST = { accountId: '123456789012', region: 'eu-west-1' };

function stderr(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) }), { isTTY });
  return { stream, text: () => text };
}

function advance(target: typeof EAST, jobsDescribed: number, jobsToDescribe: number, listingDone: boolean): TargetAdvance {
  return {
    ...target,
    mode: 'full',
    jobsListed: jobsDescribed + jobsToDescribe,
    jobsDescribed,
    jobsToDescribe,
    invocations: 1,
    listingDone,
  };
}

describe('the progress display', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('prints a line every interval when stderr is not a terminal, with targets done and jobs described', () => {
    // Prepare
    const err = stderr(false);
    const display = new ProgressDisplay(err.stream, { tty: false, everyMs: 5000 });
    const events = display.events();
    events.targetsResolved!([EAST, WEST]);
    events.targetStarted!(EAST);
    events.advanced!(advance(EAST, 120, 380, false));

    // Act
    jest.advanceTimersByTime(5000);
    events.advanced!(advance(EAST, 300, 200, true));
    jest.advanceTimersByTime(5000);
    display.stop();
    jest.advanceTimersByTime(60_000);

    // Assess
    expect(err.text()).toBe(
      '[5 s] 0 of 2 (account, region) done, 1 running · 120 jobs described of 500 to describe so far (still listing)\n' +
        '[10 s] 0 of 2 (account, region) done, 1 running · 300 jobs described of 500 to describe so far\n',
    );
  });

  it('draws a bar in place on a terminal, clears it for a warning, and leaves a clean line when it stops', () => {
    // Prepare
    const err = stderr(true);
    const display = new ProgressDisplay(err.stream, { tty: true, columns: 200 });
    const events = display.events();
    events.targetsResolved!([EAST]);
    events.targetStarted!(EAST);
    events.advanced!(advance(EAST, 50, 50, true));

    // Act
    jest.advanceTimersByTime(200);
    events.warning!('a warning', { region: 'us-east-1' });
    display.stop();

    // Assess
    const bar = `[${'#'.repeat(15)}${'-'.repeat(15)}] [0 s] 0 of 1 (account, region) done, 1 running · 50 jobs described of 100 to describe so far`;
    expect(err.text()).toBe(`\r\x1b[2K${bar}\r\x1b[2Kwarning: a warning {"region":"us-east-1"}\n\r\x1b[2K${bar}\r\x1b[2K`);
  });
});

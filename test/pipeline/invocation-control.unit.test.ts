import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TimeBudgetExhaustedError } from '../../lambda/core/collect/training-job-source';
import { InvocationControl } from '../../lambda/core/pipeline/invocation-control';

/** A full garbage collection, as a loaded process runs one while calls are in flight. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const unlimited = { softStopAt: Number.POSITIVE_INFINITY, deadline: Number.POSITIVE_INFINITY };

describe('InvocationControl', () => {
  it('is halted from the start when the soft stop has passed, without cancelling calls', () => {
    // Prepare
    const budget = { softStopAt: Date.now() - 1, deadline: Number.POSITIVE_INFINITY };

    // Act
    const control = new InvocationControl(budget);

    // Assess
    expect(control.halted.aborted).toBe(true);
    expect(control.signal.aborted).toBe(false);
    control.dispose();
  });

  it('cancels the calls in flight at the deadline even when garbage is collected before it', async () => {
    // Prepare
    const control = new InvocationControl({ softStopAt: Number.POSITIVE_INFINITY, deadline: Date.now() + 200 });

    // Act
    for (let round = 0; round < 5; round++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 80));
    }

    // Assess
    expect(control.signal.aborted).toBe(true);
    expect((control.signal.reason as Error).name).toBe('TimeoutError');
    control.dispose();
  });

  it('halts at the soft stop, and leaves the calls in flight running', async () => {
    // Prepare
    const control = new InvocationControl({ softStopAt: Date.now() + 20, deadline: Number.POSITIVE_INFINITY });

    // Act
    await once(control.halted, 'abort');

    // Assess
    expect(control.signal.aborted).toBe(false);
    expect(control.failure).toBeUndefined();
  });

  it('halts on a call out of time budget and records what it interrupted, without failing', () => {
    // Prepare
    const control = new InvocationControl(unlimited);

    // Act
    control.fail(new TimeBudgetExhaustedError('DescribeTrainingJob still throttled at the deadline'));
    control.fail(new TimeBudgetExhaustedError('ListTrainingJobs still throttled at the deadline'));

    // Assess
    expect(control.halted.aborted).toBe(true);
    expect(control.interrupted).toBe('DescribeTrainingJob still throttled at the deadline');
    expect(control.failure).toBeUndefined();
    expect(control.signal.aborted).toBe(false);
  });

  it('halts on any other error and cancels the calls in flight with the first one', () => {
    // Prepare
    const control = new InvocationControl(unlimited);
    const first = new Error('AccessDenied on DescribeTrainingJob');

    // Act
    control.fail(first);
    control.fail(new Error('a later error'));

    // Assess
    expect(control.halted.aborted).toBe(true);
    expect(control.failure).toBe(first);
    expect(control.signal.aborted).toBe(true);
    expect(control.signal.reason).toBe(first);
  });

  it('runs what waits on the halt when it comes, or at once when it has come', () => {
    // Prepare
    const control = new InvocationControl(unlimited);
    const ran: string[] = [];
    control.onHalt(() => ran.push('registered before'));

    // Act
    const ranBeforeHalt = [...ran];
    control.fail(new Error('ListTrainingJobs failed'));
    control.onHalt(() => ran.push('registered after'));

    // Assess
    expect(ranBeforeHalt).toEqual([]);
    expect(ran).toEqual(['registered before', 'registered after']);
  });

  it("takes the caller's stop as an interruption: calls cancelled, no new work, and the calls it cancelled are no failure", () => {
    // Prepare
    const caller = new AbortController();
    const control = new InvocationControl(unlimited, caller.signal);

    // Act
    caller.abort(new Error('stopped by SIGTERM'));
    control.fail(new DOMException('This operation was aborted', 'AbortError'));

    // Assess
    expect(control.signal.aborted).toBe(true);
    expect(control.halted.aborted).toBe(true);
    expect(control.failure).toBeUndefined();
    expect(control.interrupted).toBe('stopped by SIGTERM');
    control.dispose();
  });
});

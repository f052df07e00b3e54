import { StallWatch, type StalledError } from '../../lambda/core/collect/stall-watch';

const WHERE = 'in us-east-1 for account 123456789012';
const THROTTLED = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 4 } });

describe('StallWatch', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('gives up once a whole period passes without a successful call, naming the last failure', () => {
    // Prepare
    const stalls: StalledError[] = [];
    const watch = new StallWatch(60_000, WHERE, (error) => stalls.push(error));
    watch.failed('DescribeTrainingJob', THROTTLED);

    // Act
    jest.advanceTimersByTime(60_000);

    // Assess
    expect(stalls.map((error) => error.message)).toEqual([
      'no call succeeded in us-east-1 for account 123456789012 for 60 s (the stall period, SM_INVENTORY_STALL_PERIOD), so it gave up before the time budget; ' +
        'the last failure: DescribeTrainingJob: ThrottlingException: Rate exceeded after 4 attempts',
    ]);
    watch.dispose();
  });

  it('counts the period from the last success, so a target that keeps succeeding never stalls', () => {
    // Prepare
    const stalls: StalledError[] = [];
    const watch = new StallWatch(60_000, WHERE, (error) => stalls.push(error));

    // Act
    for (let second = 0; second < 300; second += 50) {
      jest.advanceTimersByTime(50_000);
      watch.succeeded();
    }
    jest.advanceTimersByTime(59_000);

    // Assess
    expect(stalls).toEqual([]);
    watch.dispose();
  });

  it('says the calls got no answer when none failed with one', () => {
    // Prepare
    const stalls: StalledError[] = [];
    const watch = new StallWatch(5_000, WHERE, (error) => stalls.push(error));

    // Act
    jest.advanceTimersByTime(5_000);

    // Assess
    expect(stalls[0].message).toMatch(/the last failure: none, the calls got no answer$/);
    watch.dispose();
  });

  it('never fires once disposed', () => {
    // Prepare
    const stalls: StalledError[] = [];
    const watch = new StallWatch(5_000, WHERE, (error) => stalls.push(error));

    // Act
    watch.dispose();
    jest.advanceTimersByTime(10_000);

    // Assess
    expect(stalls).toEqual([]);
  });
});

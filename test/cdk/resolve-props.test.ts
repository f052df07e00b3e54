import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ConfigError } from '../../lambda/core/errors';
import { resolveProps } from '../../lib/resolve-props';

const CONTEXT = { path: 'Stack/Inventory', stackRegion: 'eu-central-1' };
const rate = (text: string) => scheduler.ScheduleExpression.expression(`rate(${text})`);

describe('resolveProps with no props', () => {
  const resolved = resolveProps({}, CONTEXT);

  it("snapshots the stack's region", () => {
    // Assess
    expect(resolved.regions).toEqual(['eu-central-1']);
  });

  it('runs daily at 02:00 UTC, each run ending within 23 hours', () => {
    // Assess
    expect(resolved.schedule.expressionString).toBe('cron(0 2 * * ? *)');
    expect(resolved.schedulePeriod.toHours()).toBe(1 * 24);
    expect(resolved.maxRunDuration.toHours()).toBe(23);
  });

  it('retains the data when the construct leaves the stack', () => {
    // Assess
    expect(resolved.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  it('gives the function no collector variables, so its own defaults apply', () => {
    // Assess
    expect(resolved.collectorEnvironment).toEqual({});
    expect(resolved.parallelTargets).toBe(4);
  });
});

describe('resolveProps and the schedule', () => {
  it('takes the period of a rate() schedule as the schedule period, and fits the longest run into it', () => {
    // Act
    const resolved = resolveProps({ schedule: rate('6 hours') }, CONTEXT);

    // Assess
    expect(resolved.schedulePeriod.toHours()).toBe(6);
    expect(resolved.maxRunDuration.toHours()).toBe(6);
  });

  it('takes a daily cron() as a daily period', () => {
    // Act
    const resolved = resolveProps({ schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '5' }) }, CONTEXT);

    // Assess
    expect(resolved.schedulePeriod.toDays()).toBe(1);
  });

  it.each([
    [
      { schedule: rate('12 hours'), schedulePeriod: Duration.days(1) },
      'schedulePeriod is "1 day" but schedule rate(12 hours) fires every 12 hours; allowed: schedulePeriod equal to the schedule\'s period, or unset',
    ],
    [
      { schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }), schedulePeriod: Duration.hours(12) },
      'schedulePeriod is "12 hours" but schedule cron(0 2 * * ? *) fires every 1 day',
    ],
    [
      { schedule: rate('12 hours'), maxRunDuration: Duration.hours(13) },
      'maxRunDuration is "13 hours", longer than schedulePeriod "12 hours"; allowed: at most schedulePeriod, so a run ends before the next one starts',
    ],
    [
      { schedule: scheduler.ScheduleExpression.at(new Date(Date.UTC(2030, 0, 1))) },
      'schedule is "at(2030-01-01T00:00:00)"; allowed: a recurring rate() or cron() expression',
    ],
    [{ schedule: rate('30 minutes') }, 'schedulePeriod is "30 minutes"; allowed: from 1 hour to 3.5 days'],
  ])('refuses %j, naming the values and the rule', (props, message) => {
    // Act
    const resolve = () => resolveProps(props, CONTEXT);

    // Assess
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(`Stack/Inventory: ${message}`);
  });

  it('takes the schedule period it is told for a schedule whose period it cannot read', () => {
    // Prepare
    const weekdays = scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', weekDay: 'MON-FRI' });

    // Act
    const resolved = resolveProps({ schedule: weekdays, schedulePeriod: Duration.days(3) }, CONTEXT);

    // Assess
    expect(resolved.schedulePeriod.toDays()).toBe(3);
    expect(resolved.maxRunDuration.toHours()).toBe(23);
  });
});

describe('resolveProps and the collector', () => {
  it('carries the settings given, and only those, as the variables the function reads', () => {
    // Act
    const resolved = resolveProps(
      { collector: { concurrency: 16, rateLimits: { ListTags: 4 }, redactKeyPatterns: ['pin', 'otp'] } },
      CONTEXT,
    );

    // Assess
    expect(resolved.collectorEnvironment).toEqual({
      SM_INVENTORY_CONCURRENCY: '16',
      SM_INVENTORY_LIMITS: 'ListTags=4',
      SM_INVENTORY_REDACT_KEYS: 'pin,otp',
    });
  });

  it('reserves as many executions as the collector takes targets at once', () => {
    // Act
    const resolved = resolveProps({ collector: { parallelTargets: 9 } }, CONTEXT);

    // Assess
    expect(resolved.parallelTargets).toBe(9);
  });
});

describe('resolveProps and values known only at deploy time', () => {
  it('passes a region token through unchecked', () => {
    // Prepare
    const region = Token.asString({ Ref: 'AWS::Region' });

    // Act
    const resolved = resolveProps({ regions: [region, 'us-east-1'] }, CONTEXT);

    // Assess
    expect(resolved.regions).toEqual([region, 'us-east-1']);
  });

  it('still checks the values beside the token', () => {
    // Prepare
    const region = Token.asString({ Ref: 'AWS::Region' });

    // Act
    const resolve = () => resolveProps({ regions: [region, 'Frankfurt'] }, CONTEXT);

    // Assess
    expect(resolve).toThrow('Stack/Inventory: regions has "Frankfurt"');
  });
});

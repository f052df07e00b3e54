import { Duration } from 'aws-cdk-lib';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/**
 * How often an EventBridge Scheduler expression fires, when that is plain from the expression: a
 * `rate()`, or a `cron()` that fires once an hour (fixed minute, every hour) or once a day (fixed
 * minute and hour, every day). Undefined for anything else (several times a day, some weekdays):
 * `schedulePeriod` then says it.
 */
export function schedulePeriodOf(expression: string): Duration | undefined {
  const rate = RATE.exec(expression);
  if (rate) return Duration.seconds(Number(rate[1]) * UNIT_SECONDS[rate[2]]);
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron[1].trim().split(/\s+/);
  const fixed = (field: string | undefined) => field !== undefined && /^\d+$/.test(field);
  const every = (field: string | undefined) => field === '*' || field === '?';
  if (!fixed(minute) || !every(dayOfMonth) || !every(month) || !every(dayOfWeek)) return undefined;
  if (hour === '*') return Duration.hours(1);
  return fixed(hour) ? Duration.days(1) : undefined;
}

import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../../lambda/core/events/state-change-event';
import { describeJobAt, jobEndTime, type TrainingJobPlan } from './job-generator';
import { hashText } from './random';

/** An EventBridge event as SageMaker sends it for a training job's state change. */
export interface StateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof STATE_CHANGE_DETAIL_TYPE;
  readonly source: typeof STATE_CHANGE_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** Share of events EventBridge delivers twice (at-least-once delivery), drawn per event so a seed replays the same. */
export const DUPLICATE_SHARE = 0.03;

/** Every time the job's status or secondary status changes: its creation, each phase, stopping, its end. */
export function stateChangeTimes(plan: TrainingJobPlan): number[] {
  const job = describeJobAt(plan, jobEndTime(plan))!;
  const starts = (job.SecondaryStatusTransitions ?? []).map((transition) => transition.StartTime!.getTime());
  return [...new Set([plan.createdAt, ...starts])].sort((a, b) => a - b);
}

/**
 * The job's state change at `at` in the documented shape: the Describe response of that moment as
 * `detail`, its times as epoch-millisecond text, `Tags` as a map.
 */
export function stateChangeEvent(plan: TrainingJobPlan, at: number): StateChangeEvent {
  const job: DescribeTrainingJobResponse = describeJobAt(plan, at)!;
  return {
    version: '0',
    id: eventId(`${plan.arn}|${plan.createdAt}|${at}`),
    'detail-type': STATE_CHANGE_DETAIL_TYPE,
    source: STATE_CHANGE_SOURCE,
    account: plan.accountId,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: plan.region,
    resources: [plan.arn],
    detail: { ...(epochMillisText(job) as Record<string, unknown>), Tags: { ...plan.tags } },
  };
}

/** Whether EventBridge delivers this event twice. */
export function deliveredTwice(event: StateChangeEvent): boolean {
  return (hashText(`dup|${event.id}`) % 10_000) / 10_000 < DUPLICATE_SHARE;
}

function epochMillisText(value: unknown): unknown {
  if (value instanceof Date) return String(value.getTime());
  if (Array.isArray(value)) return value.map(epochMillisText);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, epochMillisText(v)]),
    );
  return value;
}

/** A UUID-shaped id derived from the text, so the same change always has the same id. */
function eventId(text: string): string {
  const hex = [0, 1, 2, 3].map((i) => hashText(`${i}|${text}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

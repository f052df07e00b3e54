import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE, TRAINING_JOB_ARN_PATTERN } from '../names';

export { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../names';

/** What one event asks for: describe this job. The event's own copy of the job is never used (it lacks half the columns). */
export interface StateChange {
  readonly arn: string;
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly eventId: string;
  /** Epoch ms of the event's `time`. */
  readonly eventTime: number;
  /** Epoch ms of the job's LastModifiedTime in the event, when it has one: orders the events of one job. */
  readonly lastModified?: number;
}

export type ParsedEvent =
  | { readonly kind: 'change'; readonly change: StateChange }
  /** Another detail-type (or source): not for this table, counted. */
  | { readonly kind: 'ignored'; readonly detailType: string }
  /** Malformed, or without a job ARN: set aside with the reason. */
  | { readonly kind: 'rejected'; readonly reason: string; readonly eventId?: string };

/** An event's `id` when it has a usable one, for naming it in a message. */
function eventIdOf(event: Record<string, unknown>): string | undefined {
  return typeof event.id === 'string' && event.id.length > 0 && event.id.length <= 128 ? event.id : undefined;
}

/**
 * What can be said of a text JSON.parse refused without quoting it: its length, and where it became
 * unreadable when the parser says. Node's message quotes the text's first characters, which in an event
 * may be a secret (a HyperParameters value), so it is never shown.
 */
export function unreadableJsonDetail(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return `${text.length} characters${position === undefined ? '' : `, unreadable at character ${position}`}`;
}

/**
 * Reads one EventBridge event. Only the envelope and the job's identity are read; nothing from
 * `detail` other than TrainingJobArn and LastModifiedTime ever reaches a reason or a log, since its
 * HyperParameters and Environment may hold secrets.
 */
export function parseStateChangeEvent(value: unknown): ParsedEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      kind: 'rejected',
      reason: `the event is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}; expected an EventBridge event (a JSON object)`,
    };
  const event = value as Record<string, unknown>;
  const eventId = eventIdOf(event);
  const reject = (reason: string): ParsedEvent => ({ kind: 'rejected', reason, eventId });
  const detailType = event['detail-type'];
  if (typeof detailType !== 'string') return reject('the event has no detail-type; expected an EventBridge event');
  if (detailType !== STATE_CHANGE_DETAIL_TYPE || event.source !== STATE_CHANGE_SOURCE) return { kind: 'ignored', detailType };
  if (eventId === undefined) return reject('the event has no id (1-128 characters); EventBridge gives every event one');
  const eventTime = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  if (Number.isNaN(eventTime)) return reject(`the event's time is not an ISO-8601 time; expected e.g. 2026-11-01T12:00:00Z`);
  const detail = event.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return reject('the event has no detail object');
  const { TrainingJobArn: arn, LastModifiedTime: lastModifiedTime } = detail as Record<string, unknown>;
  if (arn === undefined || arn === null || arn === '')
    return reject('detail.TrainingJobArn is missing; the job cannot be described without it');
  const match = typeof arn === 'string' ? TRAINING_JOB_ARN_PATTERN.exec(arn) : null;
  if (!match)
    return reject(
      `detail.TrainingJobArn ${typeof arn === 'string' ? JSON.stringify(arn.slice(0, 300)) : `is a ${typeof arn}`}; expected arn:<partition>:sagemaker:<region>:<12-digit account>:training-job/<name>`,
    );
  const [, region, accountId, name] = match;
  if (event.account !== accountId || event.region !== region)
    return reject(
      `the event came from ${JSON.stringify(event.account)}/${JSON.stringify(event.region)}, but its job ${arn} is in ${accountId}/${region}; a state change comes from the job's own account and region`,
    );
  const lastModified = epochMillis(lastModifiedTime);
  if (lastModified === null) return reject('detail.LastModifiedTime is not a time; expected epoch milliseconds (a number or its text)');
  return {
    kind: 'change',
    change: { arn: match[0], name, accountId, region, eventId, eventTime, ...(lastModified === undefined ? {} : { lastModified }) },
  };
}

/** EventBridge gives SageMaker's times as epoch-millisecond text (or numbers); undefined when absent, null when unreadable. */
function epochMillis(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const millis = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isSafeInteger(millis) && millis >= 0 ? millis : null;
}

/**
 * The newest event of each job, in first-seen order: a batch describes each job once, whatever its
 * duplicates (EventBridge delivers at least once) and however its events were ordered.
 */
export function latestPerJob(changes: readonly StateChange[]): Map<string, { change: StateChange; events: number }> {
  const latest = new Map<string, { change: StateChange; events: number }>();
  for (const change of changes) {
    const seen = latest.get(change.arn);
    if (!seen) latest.set(change.arn, { change, events: 1 });
    else latest.set(change.arn, { change: newer(seen.change, change), events: seen.events + 1 });
  }
  return latest;
}

/** The later of two events of one job: by the job's LastModifiedTime, then the event time, then the id (so any order picks the same). */
function newer(a: StateChange, b: StateChange): StateChange {
  const order =
    (a.lastModified ?? -1) - (b.lastModified ?? -1) ||
    a.eventTime - b.eventTime ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
  return order >= 0 ? a : b;
}

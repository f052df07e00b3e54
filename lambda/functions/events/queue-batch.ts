import type { SQSRecord } from 'aws-lambda';
import type { ChangeBatchReport, EventOutcome } from '../../core/events/apply-changes';
import { unreadableJsonDetail } from '../../core/events/state-change-event';
import type { DeadLetter } from './dead-letters';

/** What became of each record of an SQS batch, once its events were applied. */
export interface RecordVerdicts {
  /** Records SQS must deliver again (their message ids): not applied for a reason a later try may not have. */
  readonly retry: string[];
  /** Records that can never be applied, for the dead-letter queue with their reason. */
  readonly deadLetters: DeadLetter[];
  /** Records whose event was refused (an account or region not configured), logged and counted. */
  readonly refused: { readonly messageId: string; readonly accountId: string; readonly region: string; readonly eventId: string }[];
  /** Records whose job could not be described, logged with its ARN and counted. */
  readonly skipped: { readonly messageId: string; readonly arn: string; readonly reason: string }[];
  /** Events applied (their job described and written) and events of another detail-type. */
  applied: number;
  ignored: number;
}

/** The records' bodies read as JSON; a body that is not is a dead letter at once, its text never shown (it may hold a secret). */
export function readBodies(records: readonly SQSRecord[]): {
  readonly events: unknown[];
  readonly parsed: SQSRecord[];
  readonly unreadable: DeadLetter[];
} {
  const events: unknown[] = [];
  const parsed: SQSRecord[] = [];
  const unreadable: DeadLetter[] = [];
  for (const record of records) {
    try {
      events.push(JSON.parse(record.body));
      parsed.push(record);
    } catch (error) {
      const reason = `the message body (${unreadableJsonDetail(record.body, error)}) is not JSON; expected one EventBridge event as the rule sends it`;
      unreadable.push({ messageId: record.messageId, body: record.body, reason });
    }
  }
  return { events, parsed, unreadable };
}

/** Sorts the records by their event's outcome (`report.outcomes[i]` is that of `records[i]`). */
export function verdictsOf(records: readonly SQSRecord[], report: Pick<ChangeBatchReport, 'outcomes'>): RecordVerdicts {
  const verdicts: RecordVerdicts = { retry: [], deadLetters: [], refused: [], skipped: [], applied: 0, ignored: 0 };
  for (const [index, record] of records.entries()) sort(verdicts, record, report.outcomes[index]);
  return verdicts;
}

function sort(verdicts: RecordVerdicts, record: SQSRecord, outcome: EventOutcome): void {
  const { messageId } = record;
  switch (outcome.kind) {
    case 'applied':
      verdicts.applied++;
      return;
    case 'ignored':
      verdicts.ignored++;
      return;
    case 'rejected':
      verdicts.deadLetters.push({ messageId, body: record.body, reason: outcome.reason, eventId: outcome.eventId });
      return;
    case 'refused':
      verdicts.refused.push({ messageId, accountId: outcome.accountId, region: outcome.region, eventId: outcome.eventId });
      return;
    case 'skipped':
      verdicts.skipped.push({ messageId, arn: outcome.arn, reason: outcome.reason });
      return;
    case 'retry':
      verdicts.retry.push(messageId);
  }
}

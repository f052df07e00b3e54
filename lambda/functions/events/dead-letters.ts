import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../../core/collect/concurrency';
import { describeError } from '../../core/errors';

/** A message that can never be applied, and why: what the dead-letter queue receives. */
export interface DeadLetter {
  /** The SQS message id of the record it came in. */
  readonly messageId: string;
  /** Its body, sent on unchanged, so a replay after a fix needs nothing but the dead-letter queue. */
  readonly body: string;
  /** Why it cannot be applied; it never quotes the event's detail beyond its job ARN (HyperParameters may hold secrets). */
  readonly reason: string;
  readonly eventId?: string;
}

/** Message attribute names on a dead letter: what an operator filters and reads the queue by. */
export const DEAD_LETTER_ATTRIBUTE = { reason: 'reason', sourceMessageId: 'sourceMessageId', eventId: 'eventId' } as const;

/** SQS refuses a message attribute value past 256 KiB with the body; a reason is a sentence, so this never cuts one in practice. */
const MAX_REASON_LENGTH = 4096;
/** Sends in flight at once: dead letters are rare, and each is one small request. */
const SEND_CONCURRENCY = 4;

/**
 * Sends each letter to the dead-letter queue with its reason and source message id as attributes, and
 * answers the message ids whose send failed: those records go back to SQS, whose redrive moves them on
 * after its retries (without the reason, which the function's log then holds).
 */
export async function sendDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  letters: readonly DeadLetter[],
  onFailure: (letter: DeadLetter, reason: string) => void,
): Promise<string[]> {
  const failed = await mapWithConcurrency(letters, SEND_CONCURRENCY, async (letter) => {
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: letter.body,
          MessageAttributes: {
            [DEAD_LETTER_ATTRIBUTE.reason]: { DataType: 'String', StringValue: letter.reason.slice(0, MAX_REASON_LENGTH) },
            [DEAD_LETTER_ATTRIBUTE.sourceMessageId]: { DataType: 'String', StringValue: letter.messageId },
            ...(letter.eventId && { [DEAD_LETTER_ATTRIBUTE.eventId]: { DataType: 'String', StringValue: letter.eventId } }),
          },
        }),
      );
      return undefined;
    } catch (error) {
      onFailure(letter, describeError(error));
      return letter.messageId;
    }
  });
  return failed.filter((id): id is string => id !== undefined);
}

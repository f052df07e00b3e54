import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { TEST_CREDENTIALS } from './local-simulator';
import type { RunningMoto } from './moto-server';

/** An SQS client for the moto server, which serves SQS on the same port as S3. */
export function motoSqs(moto: RunningMoto): SQSClient {
  return new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
}

let queues = 0;

/** A new queue on moto; its URL. */
export async function createTestQueue(sqs: SQSClient, prefix = 'events-dlq'): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${Date.now()}-${queues++}` }));
  return QueueUrl!;
}

/** Every message the queue holds now, with its attributes (received, not deleted). */
export async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 600 }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

/** The SQS event Lambda's event source mapping gives the function: one record per body, message ids `m-0`, `m-1`, … */
export function sqsEvent(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body, index): SQSRecord => ({
      messageId: `m-${index}`,
      receiptHandle: `receipt-${index}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEVENTBRIDGE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:events',
      awsRegion: 'us-east-1',
    })),
  };
}

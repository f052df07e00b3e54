import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { PublishError } from '../errors';
import { snapshotObjectPath, type SnapshotObjectId } from './layout';
import type { PublishResult, SnapshotPublisher } from './publisher';

export interface S3SnapshotPublisherOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  /** SSE-KMS key for the objects. @default the bucket's default encryption */
  readonly kmsKeyArn?: string;
}

/**
 * One multipart upload per object (lib-storage `Upload`): S3 makes the object visible only when
 * CompleteMultipartUpload succeeds, so a failed stream aborts the upload and leaves any earlier object
 * (same key, same date re-run) as it was. Re-running a date overwrites the key rather than adding one.
 */
export class S3SnapshotPublisher implements SnapshotPublisher {
  constructor(private readonly options: S3SnapshotPublisherOptions) {}

  describe(): string {
    return `s3://${this.options.bucket}${this.options.prefix ? `/${this.options.prefix}` : ''}`;
  }

  async publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    const { client, bucket, prefix, kmsKeyArn } = this.options;
    const key = prefix ? `${prefix}/${snapshotObjectPath(id)}` : snapshotObjectPath(id);
    let bytes = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of body) {
          bytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: counted,
        ContentType: 'application/vnd.apache.parquet',
        ...(kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyArn } : {}),
      },
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      counted.destroy();
      throw new PublishError(`uploading s3://${bucket}/${key} failed; the upload was aborted and the previous object, if any, is unchanged`, {
        cause: error,
      });
    }
    return { location: `s3://${bucket}/${key}`, bytes };
  }
}

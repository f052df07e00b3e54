import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PublishError } from '../errors';
import { makeScratchFolder } from '../process/scratch-folder';
import { snapshotObjectPath, type SnapshotObjectId } from './layout';
import type { Lease, LeaseRecord, LocalCopy, PublishResult, WarehouseStore } from './store';

export interface S3StoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix without slashes at either end; '' for the bucket's root. */
  readonly prefix: string;
  /** SSE-KMS key for the objects. @default the bucket's default encryption */
  readonly kmsKeyArn?: string;
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
  );
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'PreconditionFailed' ||
    e?.$metadata?.httpStatusCode === 412 ||
    e?.name === 'ConditionalRequestConflict' ||
    e?.$metadata?.httpStatusCode === 409
  );
}

/**
 * A warehouse under `s3://bucket/prefix`. An object is one multipart upload (lib-storage `Upload`): S3
 * makes it visible only when CompleteMultipartUpload succeeds, so a failed stream aborts the upload and
 * leaves any earlier object with that key as it was. Leases are conditional writes (If-None-Match for a
 * new one, If-Match on the ETag to take over an expired one), so two runs can never both hold one.
 */
export class S3Store implements WarehouseStore {
  constructor(private readonly options: S3StoreOptions) {}

  describe(): string {
    return `s3://${this.options.bucket}${this.options.prefix ? `/${this.options.prefix}` : ''}`;
  }

  private key(key: string): string {
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  locationOf(key: string): string {
    return `s3://${this.options.bucket}/${this.key(key)}`;
  }

  /** Nothing to check without a permission the function does not need: the first lease write fails fast instead. */
  async checkWritable(): Promise<void> {}

  private encryption() {
    return this.options.kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.options.kmsKeyArn } : {};
  }

  publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    return this.put(snapshotObjectPath(id), body);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    const { client, bucket } = this.options;
    const fullKey = this.key(key);
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
        Key: fullKey,
        Body: counted,
        ContentType: key.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/octet-stream',
        ...this.encryption(),
      },
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      counted.destroy();
      throw new PublishError(
        `uploading s3://${bucket}/${fullKey} failed; the upload was aborted and the previous object, if any, is unchanged`,
        { cause: error },
      );
    }
    return { location: `s3://${bucket}/${fullKey}`, bytes };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { client, bucket } = this.options;
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: this.key(key) }));
      return await response.Body!.transformToByteArray();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new PublishError(`reading ${this.locationOf(key)} failed`, { cause: error });
    }
  }

  async download(key: string): Promise<LocalCopy | undefined> {
    const { client, bucket } = this.options;
    let response;
    try {
      response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: this.key(key) }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new PublishError(`reading ${this.locationOf(key)} failed`, { cause: error });
    }
    const folder = await makeScratchFolder('download');
    const path = join(folder.path, 'object');
    try {
      await pipeline(response.Body as Readable, createWriteStream(path));
    } catch (error) {
      await folder.release();
      throw new PublishError(`downloading ${this.locationOf(key)} failed`, { cause: error });
    }
    return { path, release: folder.release };
  }

  async delete(keys: readonly string[]): Promise<void> {
    const { client, bucket } = this.options;
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000).map((key) => ({ Key: this.key(key) }));
      const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
      if (result.Errors?.length) {
        throw new PublishError(
          `deleting ${result.Errors.length} object(s) under ${this.describe()} failed: ${result.Errors.map((e) => `${e.Key}: ${e.Code}`).join('; ')}`,
        );
      }
    }
  }

  async acquireLease(key: string, holder: string, expiresAt: number): Promise<Lease | undefined> {
    const { client, bucket } = this.options;
    const record = (): string => JSON.stringify({ holder, expiresAt, takenAt: Date.now() } satisfies LeaseRecord);
    const write = async (condition: { IfNoneMatch: '*' } | { IfMatch: string }): Promise<boolean> => {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: this.key(key),
            Body: record(),
            ContentType: 'application/json',
            ...condition,
            ...this.encryption(),
          }),
        );
        return true;
      } catch (error) {
        if (isPreconditionFailed(error)) return false;
        throw new PublishError(`cannot write the lease ${this.locationOf(key)}`, { cause: error });
      }
    };
    const lease: Lease = { holder, release: () => this.releaseLease(key, holder) };
    if (await write({ IfNoneMatch: '*' })) return lease;
    let current;
    try {
      current = await client.send(new GetObjectCommand({ Bucket: bucket, Key: this.key(key) }));
    } catch (error) {
      // Released between our two calls: try once more from the start.
      if (isMissing(error)) return (await write({ IfNoneMatch: '*' })) ? lease : undefined;
      throw new PublishError(`cannot read the lease ${this.locationOf(key)}`, { cause: error });
    }
    const existing = parseLease(await current.Body!.transformToString());
    if (existing && existing.holder !== holder && existing.expiresAt > Date.now()) return undefined;
    return (await write({ IfMatch: current.ETag! })) ? lease : undefined;
  }

  private async releaseLease(key: string, holder: string): Promise<void> {
    const existing = parseLease(new TextDecoder().decode((await this.get(key)) ?? new Uint8Array()));
    if (existing?.holder === holder) await this.delete([key]);
  }
}

function parseLease(text: string): LeaseRecord | undefined {
  try {
    const value = JSON.parse(text) as LeaseRecord;
    return typeof value.holder === 'string' && typeof value.expiresAt === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PublishError } from '../../lambda/core/errors';
import { accountRegionObject } from '../../lambda/core/publish/layout';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { S3Store } from '../../lambda/core/publish/s3-store';
import type { WarehouseStore } from '../../lambda/core/publish/store';
import { createTestBucket, listKeys, useMotoS3 } from '../support/moto-server';

const ID = accountRegionObject(TRAINING_JOB_SCHEMA, '2026-11-01', 'us-east-1', '123456789012');
const KEY = 'sagemaker_training_job/snapshot_date=2026-11-01/region=us-east-1/123456789012.parquet';

async function* bytes(parts: string[], failAfter?: number): AsyncIterable<Uint8Array> {
  for (const [i, part] of parts.entries()) {
    if (failAfter !== undefined && i === failAfter) throw new Error('stream broke half way');
    yield Buffer.from(part);
  }
}

/** 7 MiB in 1 MiB chunks: more than one 5 MiB multipart part, so a failure lands mid-upload. */
const BIG = Array.from({ length: 7 }, (_, i) => String(i).repeat(1024 * 1024));

describe('LocalStore', () => {
  it('writes the object at the partitioned path', async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'pub-'));

    // Act
    const result = await new LocalStore(root).publish(ID, bytes(['PAR1', 'data']));

    // Assess
    expect(result).toEqual({ location: join(root, KEY), bytes: 8 });
    expect(readFileSync(join(root, KEY), 'utf8')).toBe('PAR1data');
  });

  it('leaves no partial file and the earlier snapshot untouched when the stream fails half way', async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'pub-'));
    const publisher = new LocalStore(root);
    await publisher.publish(ID, bytes(['earlier']));

    // Act
    const attempt = publisher.publish(ID, bytes(BIG, 3));

    // Assess
    await expect(attempt).rejects.toThrow(PublishError);
    expect(readFileSync(join(root, KEY), 'utf8')).toBe('earlier');
    expect(readdirSync(dirname(join(root, KEY)))).toEqual(['123456789012.parquet']);
  });

  it('replaces the object when the same date runs again, never adding a second one', async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'pub-'));
    const publisher = new LocalStore(root);
    await publisher.publish(ID, bytes(['first']));

    // Act
    await publisher.publish(ID, bytes(['second']));

    // Assess
    expect(readdirSync(dirname(join(root, KEY)))).toEqual(['123456789012.parquet']);
    expect(readFileSync(join(root, KEY), 'utf8')).toBe('second');
  });

  it('never shows a file being written under a .parquet name', async () => {
    // Prepare: the partition folder is watched, so the body looks the moment the file being written appears in it.
    const root = mkdtempSync(join(tmpdir(), 'pub-'));
    const folder = dirname(join(root, KEY));
    mkdirSync(folder, { recursive: true });
    const watcher = watch(folder);
    const fileAppeared = once(watcher, 'change');
    const seen: string[] = [];
    async function* watching(): AsyncIterable<Uint8Array> {
      yield Buffer.from('a');
      await fileAppeared;
      seen.push(...readdirSync(folder));
      yield Buffer.from('b');
    }

    // Act
    await new LocalStore(root).publish(ID, watching()).finally(() => watcher.close());

    // Assess
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^123456789012\.parquet\.[0-9a-f-]+\.tmp$/);
  });
});

describe('S3Store against the moto S3 server', () => {
  const local = useMotoS3();
  let s3: S3Client;
  let bucket: string;

  beforeEach(async () => {
    s3 = local.s3;
    bucket = await createTestBucket(s3);
  });

  const publisher = (prefix = 'warehouse'): WarehouseStore => new S3Store({ client: s3, bucket, prefix });
  const keys = () => listKeys(s3, bucket);
  const body = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

  it('uploads the object under the prefix at the partitioned key', async () => {
    // Act
    const result = await publisher().publish(ID, bytes(['PAR1', 'data']));

    // Assess
    expect(result).toEqual({ location: `s3://${bucket}/warehouse/${KEY}`, bytes: 8 });
    expect(await keys()).toEqual([`warehouse/${KEY}`]);
    expect(await body(`warehouse/${KEY}`)).toBe('PAR1data');
  });

  it('aborts the multipart upload and keeps the earlier object when the stream fails after a part was sent', async () => {
    // Prepare
    await publisher().publish(ID, bytes(['earlier']));

    // Act
    const attempt = publisher().publish(ID, bytes(BIG, 6));

    // Assess
    await expect(attempt).rejects.toThrow(PublishError);
    expect(await keys()).toEqual([`warehouse/${KEY}`]);
    expect(await body(`warehouse/${KEY}`)).toBe('earlier');
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('replaces the object when the same date runs again', async () => {
    // Prepare
    await publisher('').publish(ID, bytes(['first']));

    // Act
    await publisher('').publish(ID, bytes(BIG));

    // Assess
    expect(await keys()).toEqual([KEY]);
    expect((await body(KEY)).length).toBe(7 * 1024 * 1024);
  });
});

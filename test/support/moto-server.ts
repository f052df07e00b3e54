import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../../lambda/core/aws/clients';
import { TEST_CREDENTIALS } from './local-simulator';
import { createServer } from 'node:net';
import { motoPython } from './moto-python';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningMoto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the moto server (a real S3/SageMaker protocol server, `python -m moto.server`) on a free
 * loopback port, or reuses one named by MOTO_ENDPOINT (as .ci/run may provide).
 */
export async function startMoto(): Promise<RunningMoto> {
  if (process.env.MOTO_ENDPOINT) return { endpoint: process.env.MOTO_ENDPOINT, stop: async () => undefined };
  const port = await freePort();
  const child: ChildProcess = spawn(process.env.MOTO_PYTHON ?? motoPython(), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not start within 30 s: ${stderr.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An S3 client for the moto server (path-style, test credentials). */
export function motoS3(moto: RunningMoto): S3Client {
  return createS3Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: TEST_CREDENTIALS, forcePathStyle: true });
}

let buckets = 0;

export async function createTestBucket(s3: S3Client, prefix = 'inventory-test'): Promise<string> {
  const bucket = `${prefix}-${Date.now()}-${buckets++}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();
}

/** Copies every object of the bucket into a new local folder (same keys), for DuckDB to read. */
export async function downloadBucket(s3: S3Client, bucket: string): Promise<string> {
  const local = mkdtempSync(join(tmpdir(), 'download-'));
  for (const key of await listKeys(s3, bucket)) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
    mkdirSync(join(local, key, '..'), { recursive: true });
    writeFileSync(join(local, key), body);
  }
  return local;
}

/** Starts moto for the enclosing `describe` and gives its endpoint and an S3 client to the tests. */
export function useMotoS3(): { readonly moto: RunningMoto; readonly s3: S3Client } {
  const state = {} as { moto: RunningMoto; s3: S3Client };
  beforeAll(async () => {
    state.moto = await startMoto();
    state.s3 = motoS3(state.moto);
  }, 60_000);
  afterAll(async () => {
    state.s3?.destroy();
    await state.moto?.stop();
  });
  return state;
}

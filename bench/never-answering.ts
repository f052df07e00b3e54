/**
 * How long `sm-inventory snapshot` takes to fail against an endpoint that accepts connections and never
 * answers, with the default settings (SM_INVENTORY_REQUEST_TIMEOUT 10 s, SM_INVENTORY_MAX_ATTEMPTS 6),
 * and how many timed-out attempts it reported on the way. The CLI runs as a user runs it, in its own
 * process, from source. Two cases: every AWS endpoint silent (the first call, STS GetCallerIdentity,
 * never answers), and only SageMaker silent, STS and the Tagging API answered by the simulator.
 *
 *   npx tsx bench/never-answering.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/support/cli';
import { startSimulatorProcess } from './support/simulator-client';

/** A TCP server that takes every connection and never sends a byte. */
async function silentEndpoint(): Promise<{ endpoint: string; connections(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => sockets.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function timeCli(env: Record<string, string>): Promise<{ seconds: number; code: number | null; stderr: string; stdout: string }> {
  const out = mkdtempSync(join(tmpdir(), 'never-answering-'));
  const started = performance.now();
  const { code, stdout, stderr } = await runCli(['snapshot', '--regions', 'us-east-1', '--out', out, '--date', '2026-11-02'], env).done;
  rmSync(out, { recursive: true, force: true });
  return { seconds: (performance.now() - started) / 1000, code, stderr, stdout };
}

function report(name: string, run: Awaited<ReturnType<typeof timeCli>>, connections: number): void {
  const warnings = run.stderr.split('\n').filter((line) => / attempt \d+ of at most \d+ in .* timed out/.test(line)).length;
  const cause = (run.stdout + run.stderr).split('\n').find((line) => /FAILED|error:/.test(line)) ?? '';
  console.log(
    `${name}: failed in ${run.seconds.toFixed(1)} s, exit ${run.code}, ${warnings} timed-out attempts reported, ${connections} connections`,
  );
  console.log(`  ${cause.trim().slice(0, 300)}`);
}

async function main(): Promise<void> {
  const everything = await silentEndpoint();
  try {
    report('every endpoint silent', await timeCli({ AWS_ENDPOINT_URL: everything.endpoint }), everything.connections());
  } finally {
    await everything.stop();
  }
  const sagemaker = await silentEndpoint();
  const simulator = await startSimulatorProcess({ regions: ['us-east-1'], jobsPerRegion: 10 });
  try {
    const run = await timeCli({ AWS_ENDPOINT_URL: simulator.endpoint, AWS_ENDPOINT_URL_SAGEMAKER: sagemaker.endpoint });
    report('SageMaker silent', run, sagemaker.connections());
  } finally {
    await sagemaker.stop();
    await simulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

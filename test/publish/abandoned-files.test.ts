import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { thisProcess, type ProcessOwner } from '../../lambda/core/process/process-owner';
import { makeScratchFolder, OWNER_FILE, SCRATCH_PREFIX } from '../../lambda/core/process/scratch-folder';
import { LocalStore } from '../../lambda/core/publish/local-store';

/** The pid of a process that has ended: a real one, so no live process can be mistaken for it. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** A scratch folder as a run of `owner` leaves it. */
function leftScratch(owner: Readonly<Partial<ProcessOwner>>): string {
  const folder = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}run-`));
  writeFileSync(join(folder, OWNER_FILE), JSON.stringify(owner));
  writeFileSync(join(folder, 'part.parquet'), 'rows');
  return folder;
}

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

describe('files of killed runs', () => {
  const made: string[] = [];
  afterEach(() => made.splice(0).forEach((path) => rmSync(path, { recursive: true, force: true })));

  it("removes a scratch folder at once when the process it names is gone from this host, and keeps a live process's", async () => {
    // Prepare
    const dead = leftScratch({ pid: deadPid(), host: hostname() });
    const live = leftScratch(thisProcess());
    made.push(live);

    // Act
    const mine = await makeScratchFolder('run');
    made.push(mine.path);

    // Assess
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('removes a scratch folder whose pid now belongs to a process that started at another time (the pid was reused)', async () => {
    // Prepare: this process's pid, with a start time it does not have (Linux says when a process started, in /proc).
    const me = thisProcess();
    expect(me.startTicks).toBeDefined();
    const reused = leftScratch({ ...me, startTicks: (me.startTicks ?? 0) + 1 });

    // Act
    const mine = await makeScratchFolder('run');
    made.push(mine.path);

    // Assess
    expect(existsSync(reused)).toBe(false);
  });

  it('keeps a scratch folder of another host, whose processes it cannot see', async () => {
    // Prepare
    const elsewhere = leftScratch({ pid: deadPid(), host: `not-${hostname()}` });
    made.push(elsewhere);

    // Act
    const mine = await makeScratchFolder('run');
    made.push(mine.path);

    // Assess
    expect(existsSync(elsewhere)).toBe(true);
  });

  it("removes a killed writer's .tmp file at the next write in its folder at once, and keeps a live writer's", async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'warehouse-'));
    made.push(root);
    const folder = join(root, 'sagemaker_training_job', 'snapshot_date=2026-11-01', 'region=us-east-1');
    mkdirSync(folder, { recursive: true });
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 12);
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const killed = `123456789012.parquet.${deadPid()}-${host}-${uuid}.tmp`;
    const writing = `123456789012.parquet.${process.pid}-${host}-${uuid}.tmp`;
    for (const name of [killed, writing]) writeFileSync(join(folder, name), 'partial');
    // Fresh files: only their writer's death can make them garbage now, not their age.
    for (const name of [killed, writing]) utimesSync(join(folder, name), new Date(), new Date());

    // Act
    await new LocalStore(root).put('sagemaker_training_job/snapshot_date=2026-11-01/region=us-east-1/other.json', bytes('{}'));

    // Assess
    expect(readdirSync(folder).sort()).toEqual(['other.json', writing].sort());
  });
});

/**
 * What the listing's per-job state of a daily run costs on the heap, one structure at a time, at N jobs
 * with ARN-length keys: the heap and array buffers after a full garbage collection, before and after the
 * structure is built, divided by N. Each structure is built from names and ARNs made fresh, as each
 * response brings its own, and dropped once built: a structure that keeps them pays for them (the listing
 * and the tag scan once kept every ARN through the previous index's instance; the index itself now keeps
 * its ARNs packed, so there is no instance to share).
 *
 *   node --expose-gc --import tsx bench/listing-memory.ts --jobs 100000
 */
import { parseArgs } from 'node:util';
import type { SummaryRecord } from '../lambda/core/pipeline/checkpoint';
import { ArnMap, ArnRows, ArnSet } from '../lambda/core/pipeline/arn-rows';
import { ListedJobs } from '../lambda/core/pipeline/listed-jobs';
import { StringPool } from '../lambda/core/pipeline/string-pool';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' } } });
const jobs = Number(values.jobs);
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with node --expose-gc (see the header of bench/listing-memory.ts)');

const STATUSES = ['Completed', 'Failed', 'Stopped', 'InProgress'];
const pool = new StringPool();
const start = Date.UTC(2024, 0, 1);
/** Realistic names (40 characters) and ARNs (94). */
const templates: SummaryRecord[] = Array.from({ length: jobs }, (_, index) => {
  const name = `pytorch-training-2024-${String(index).padStart(8, '0')}-a1b2c3d4e`;
  return {
    name,
    arn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
    created: start + index * 60_000,
    lastModified: start + index * 60_000 + 3_600_123,
    status: STATUSES[index % STATUSES.length],
  };
});

/** A new instance of `text`, as a response parsed anew brings. */
const fresh = (text: string): string => Buffer.from(text).toString();

/** The summaries with names and ARNs of their own: what a structure keeps of them, it pays for. */
function freshSummaries(): SummaryRecord[] {
  return templates.map((summary) => ({ ...summary, name: fresh(summary.name), arn: fresh(summary.arn!) }));
}

/** The previous snapshot's index numbers the ARNs (ArnRows): held throughout, as the index holds it while the listing and tags come in. */
const previousRows = new ArnRows(jobs);
for (const summary of templates) previousRows.add(summary.arn!);

function heapBytes(): number {
  collect!();
  collect!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes a job that `build` costs while what it returns is alive. */
function perJob(build: () => unknown): number {
  const before = heapBytes();
  const held = build();
  // What `build` made and did not keep is garbage now.
  const after = heapBytes();
  if (held === undefined) throw new Error('nothing built');
  return (after - before) / jobs;
}

const structures: [string, () => unknown][] = [
  [
    'listing as a map of one summary object per job (before)',
    () => new Map(freshSummaries().map((summary) => [summary.name, { ...summary, status: pool.intern(summary.status) }])),
  ],
  [
    "listing as ListedJobs, ARNs and the names they end with by the previous index's rows (after)",
    () => {
      const listed = new ListedJobs(previousRows);
      for (const summary of freshSummaries()) listed.set(summary);
      return listed;
    },
  ],
  [
    "the ledger's jobs that stay, as a map of ARN to creation time (before)",
    () => new Map(freshSummaries().map((summary) => [summary.arn!, summary.created])),
  ],
  ["the ledger's jobs that stay, as a mark per row of the previous file (after)", () => new Uint8Array(jobs).fill(1)],
  ['the carried jobs, as a Set of ARNs (before)', () => new Set(freshSummaries().map((summary) => summary.arn!))],
  [
    "the carried jobs, as an ArnSet on the previous index's rows (after)",
    () => {
      const carried = new ArnSet(previousRows);
      for (let row = 0; row < jobs; row++) carried.addRow(row);
      return carried;
    },
  ],
  [
    'the tags, as a Map of ARN to tag set (before)',
    () => new Map(freshSummaries().map((summary, index) => [summary.arn!, tagSets[index]])),
  ],
  [
    "the tags, as an ArnMap on the previous index's rows (after)",
    () => {
      const tags = new ArnMap<Readonly<Record<string, string>>>(previousRows);
      freshSummaries().forEach((summary, index) => tags.set(summary.arn!, tagSets[index]));
      return tags;
    },
  ],
  [
    "the previous index's ARN rows as a Map of ARN to row and an array of ARNs, as they were (before)",
    () => {
      const rows = new Map<string, number>();
      const arns: string[] = [];
      for (const summary of freshSummaries()) rows.set(summary.arn!, arns.push(summary.arn!) - 1);
      return [rows, arns];
    },
  ],
  [
    "the previous index's ARN rows, packed (ArnRows), which those two keep through the merge, where the index was released before it (after)",
    () => {
      const rows = new ArnRows(jobs);
      for (const summary of freshSummaries()) rows.add(summary.arn!);
      return rows;
    },
  ],
];

/** Tags as the simulator gives them: a few shared sets, and three jobs in ten with a domain ARN of their own. */
function tagsOf(index: number): Record<string, string> {
  const tags: Record<string, string> = { team: `team-${index % 6}`, project: `project-${index % 23}`, 'cost-center': `cc-${index % 6}` };
  if (index % 10 < 3)
    tags['sagemaker:domain-arn'] = `arn:aws:sagemaker:us-east-1:123456789012:domain/d-${index.toString(16).padStart(12, '0')}`;
  return tags;
}

/** The tag sets the run keeps, interned: held throughout, as the tag scan's responses hold them, so only the map's own cost counts. */
const tagSets = templates.map((_, index) => pool.internTags(tagsOf(index)));

/** What the string pool holds of its own (its maps and keys), beyond the interned tag sets the run keeps: freed before the merge. */
function poolPerJob(): number {
  const pool = new StringPool();
  const interned = templates.map((_, index) => pool.internTags(tagsOf(index)));
  const withPool = heapBytes();
  pool.clear();
  const withoutPool = heapBytes();
  if (interned.length !== jobs) throw new Error('not every tag set was interned');
  return (withPool - withoutPool) / jobs;
}

console.log(`${jobs.toLocaleString('en-US')} jobs, heap and array buffers after a full GC, per job:`);
for (const [label, build] of structures) console.log(`  ${label}: ${perJob(build).toFixed(1)} B`);
console.log(`  the string pool's own maps once the tags are in, released before the merge: ${poolPerJob().toFixed(1)} B`);

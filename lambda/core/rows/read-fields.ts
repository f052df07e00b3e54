import { InvalidRecordError } from '../errors';

/**
 * What a value must be. The views and the cost queries cast these (`CAST(json_extract_scalar(...) AS
 * integer)`, `price * count * seconds`): one `"3 x"` or negative count written into the warehouse makes
 * every report over it fail or lie, so a job holding one is set aside instead of written.
 */
type Expectation = 'object' | 'array' | 'instance-type' | 'count' | 'seconds' | 'gibibytes' | 'time';

interface ReadField {
  /** Path in the Describe answer; `[]` means every element of an array. */
  readonly path: string;
  readonly expect: Expectation;
}

/** Fields the shipped views and queries read (glue-schema/views, glue-schema/queries), and what each must be when present. */
export const READ_FIELDS: readonly ReadField[] = [
  { path: 'CreationTime', expect: 'time' },
  { path: 'TrainingStartTime', expect: 'time' },
  { path: 'TrainingEndTime', expect: 'time' },
  { path: 'LastModifiedTime', expect: 'time' },
  { path: 'BillableTimeInSeconds', expect: 'seconds' },
  { path: 'TrainingTimeInSeconds', expect: 'seconds' },
  { path: 'AlgorithmSpecification', expect: 'object' },
  { path: 'StoppingCondition', expect: 'object' },
  { path: 'StoppingCondition.MaxRuntimeInSeconds', expect: 'seconds' },
  { path: 'StoppingCondition.MaxWaitTimeInSeconds', expect: 'seconds' },
  { path: 'WarmPoolStatus', expect: 'object' },
  { path: 'WarmPoolStatus.ResourceRetainedBillableTimeInSeconds', expect: 'seconds' },
  { path: 'ResourceConfig', expect: 'object' },
  { path: 'ResourceConfig.InstanceType', expect: 'instance-type' },
  { path: 'ResourceConfig.InstanceCount', expect: 'count' },
  { path: 'ResourceConfig.VolumeSizeInGB', expect: 'gibibytes' },
  { path: 'ResourceConfig.InstanceGroups', expect: 'array' },
  { path: 'ResourceConfig.InstanceGroups[]', expect: 'object' },
  { path: 'ResourceConfig.InstanceGroups[].InstanceType', expect: 'instance-type' },
  { path: 'ResourceConfig.InstanceGroups[].InstanceCount', expect: 'count' },
];

/** SageMaker opened in 2017: an earlier time is not a job's. */
const EARLIEST_TIME = Date.UTC(2017, 0, 1);
/** More instances than any training cluster, and more seconds than a century: a unit or sign error, not a job. */
const MAX_COUNT = 100_000;
const MAX_SECONDS = 100 * 365 * 86_400;
const MAX_GIBIBYTES = 16_384;
/** ml.<family>.<size>, as every SageMaker training instance type is named. */
const INSTANCE_TYPE = /^ml\.[a-z0-9-]{1,30}\.[a-z0-9-]{1,30}$/;

/** What kind of value it is, for a message. */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
}

/** What is wrong with `value` as a whole number of `unit` from `min` to `max`, or undefined when it is right. */
function wholeProblem(value: unknown, min: number, max: number, unit: string): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined;
  const what = typeof value === 'number' ? `${Number.isInteger(value) ? 'a whole number' : 'a fraction'} out of range` : kindOf(value);
  return `is ${what}; expected a whole number of ${unit} from ${min} to ${max}`;
}

/**
 * What is wrong with `value` for `expect`, or undefined when it is right. Never the value itself: it may be a secret.
 * Runs on every read field of every job, so a message is made only for a wrong value.
 */
function problemOf(value: unknown, expect: Expectation): string | undefined {
  switch (expect) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `is ${kindOf(value)}; expected an object`;
    case 'array':
      return Array.isArray(value) ? undefined : `is ${kindOf(value)}; expected an array`;
    case 'instance-type':
      return typeof value === 'string' && INSTANCE_TYPE.test(value) ? undefined : `is not an instance type; expected ml.<family>.<size>`;
    case 'count':
      return wholeProblem(value, 0, MAX_COUNT, 'instances');
    case 'seconds':
      return wholeProblem(value, 0, MAX_SECONDS, 'seconds');
    case 'gibibytes':
      return wholeProblem(value, 0, MAX_GIBIBYTES, 'GiB');
    case 'time': {
      const millis = value instanceof Date ? value.getTime() : Number.NaN;
      if (Number.isNaN(millis)) return undefined; // not a date at all: the column's own type check names it
      return millis >= EARLIEST_TIME ? undefined : 'is before 2017, when SageMaker opened; expected the time of a training job';
    }
  }
}

/** Each field's path as steps, split once. */
const STEPS = READ_FIELDS.map((field) => ({
  ...field,
  steps: field.path.split('.').map((step) => ({ member: step.replace(/\[\]$/, ''), each: step.endsWith('[]') })),
}));

type Step = { readonly member: string; readonly each: boolean };

/**
 * Checks every value at `steps` below `value`; returns the path of the first wrong one with what is
 * wrong (`ResourceConfig.InstanceGroups[1].InstanceCount is ...`). Absent values are skipped; the path
 * text is made only for a wrong value.
 */
function firstProblem(
  value: unknown,
  steps: readonly Step[],
  at: number,
  expect: Expectation,
  path: (string | number)[],
): string | undefined {
  if (at === steps.length) {
    const problem = problemOf(value, expect);
    return (
      problem &&
      `${path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
        .join('')
        .slice(1)} ${problem}`
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { member, each } = steps[at];
  const child = (value as Record<string, unknown>)[member];
  if (child === undefined || child === null) return undefined;
  path.push(member);
  let problem: string | undefined;
  if (!each) problem = firstProblem(child, steps, at + 1, expect, path);
  else if (Array.isArray(child)) {
    for (let index = 0; index < child.length && !problem; index++) {
      path.push(index);
      problem = firstProblem(child[index], steps, at + 1, expect, path);
      path.pop();
    }
  }
  path.pop();
  return problem;
}

/** Throws InvalidRecordError naming the first field the views or the cost would misread. */
export function checkReadFields(job: object): void {
  for (const field of STEPS) {
    const problem = firstProblem(job, field.steps, 0, field.expect, []);
    if (problem) throw new InvalidRecordError(problem);
  }
}

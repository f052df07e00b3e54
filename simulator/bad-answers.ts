import type { SimulatedOperation } from './operations';

/**
 * Answers a real endpoint has been seen to give, each well-formed HTTP with status 200 but not to be
 * believed: what a client must refuse rather than publish.
 */
export const BAD_ANSWER_KINDS = [
  /** `{}`: no list, no job. */
  'empty-body',
  /** An error document (`__type`, `message`) sent with status 200. */
  'error-body',
  /** Describe answers another job of the account: its name and ARN. */
  'other-job',
  /** Describe answers the job asked for under another job's ARN. */
  'other-arn',
  /** Describe answers the job asked for under an ARN of another account. */
  'other-account',
  /** A paginated operation's third page hands back the first page's token. */
  'looping-tokens',
  /** A paginated operation answers, after its first page, empty pages with a new token each, forever. */
  'endless-empty-pages',
] as const;
export type BadAnswerKind = (typeof BAD_ANSWER_KINDS)[number];

export interface BadAnswers {
  readonly kind: BadAnswerKind;
  readonly operation: SimulatedOperation;
  /** DescribeTrainingJob only: answer badly for these job names. @default every job */
  readonly jobs?: readonly string[];
}

/** The list and token members of each paginated operation. */
const PAGING: Partial<Record<SimulatedOperation, { readonly list: string; readonly token: string; readonly inputToken: string }>> = {
  ListTrainingJobs: { list: 'TrainingJobSummaries', token: 'NextToken', inputToken: 'NextToken' },
  ListTags: { list: 'Tags', token: 'NextToken', inputToken: 'NextToken' },
  GetResources: { list: 'ResourceTagMappingList', token: 'PaginationToken', inputToken: 'PaginationToken' },
};

const OTHER_ACCOUNT = '999999999999';
/** Tokens of the endless empty pages: made up here, and read as "from the first page" when they come back. */
const EMPTY_PAGE_TOKEN = 'empty-page-';

/** Turns a good answer into the bad one `bad` names; keeps what it needs (tokens handed out) between calls. */
export class BadAnswerer {
  private readonly tokens: string[] = [];
  private emptyPages = 0;

  constructor(readonly bad: BadAnswers) {
    if ((bad.kind === 'looping-tokens' || bad.kind === 'endless-empty-pages') && !PAGING[bad.operation])
      throw new RangeError(`${bad.kind} needs a paginated operation; ${bad.operation} is not one`);
  }

  /** The answer as sent: `otherJob` gives another job of the caller's account and region, for the Describe kinds. */
  answer(operation: SimulatedOperation, input: Record<string, unknown>, output: unknown, otherJob: () => Record<string, unknown>): unknown {
    const { kind, jobs } = this.bad;
    if (operation !== this.bad.operation) return output;
    if (operation === 'DescribeTrainingJob' && jobs && !jobs.includes(String(input.TrainingJobName))) return output;
    const answer = output as Record<string, unknown>;
    switch (kind) {
      case 'empty-body':
        return {};
      case 'error-body':
        return { __type: 'InternalFailure', message: 'We encountered an internal error. Please try again.' };
      case 'other-job': {
        const other = otherJob();
        return { ...answer, TrainingJobName: other.TrainingJobName, TrainingJobArn: other.TrainingJobArn };
      }
      case 'other-arn':
        return { ...answer, TrainingJobArn: otherJob().TrainingJobArn };
      case 'other-account':
        return { ...answer, TrainingJobArn: String(answer.TrainingJobArn).replace(/:\d{12}:/, `:${OTHER_ACCOUNT}:`) };
      case 'looping-tokens':
        return this.loop(input, answer);
      case 'endless-empty-pages':
        return this.endless(input, answer);
    }
  }

  /** The request the operation itself answers: a token this class made up stands for the first page. */
  request(operation: SimulatedOperation, input: Record<string, unknown>): Record<string, unknown> {
    const paging = PAGING[operation];
    if (operation !== this.bad.operation || !paging || !String(input[paging.inputToken] ?? '').startsWith(EMPTY_PAGE_TOKEN)) return input;
    return { ...input, [paging.inputToken]: undefined };
  }

  /** The pages keep their items; only the token lies: the third page hands back the token of the first. */
  private loop(input: Record<string, unknown>, answer: Record<string, unknown>): unknown {
    const paging = PAGING[this.bad.operation]!;
    const asked = input[paging.inputToken];
    const page = asked === undefined || asked === '' ? 0 : this.tokens.indexOf(String(asked)) + 1;
    const token = answer[paging.token];
    if (typeof token !== 'string' || token === '') return answer;
    if (page >= 2) return { ...answer, [paging.token]: this.tokens[0] };
    if (!this.tokens.includes(token)) this.tokens.push(token);
    return answer;
  }

  private endless(input: Record<string, unknown>, answer: Record<string, unknown>): unknown {
    const paging = PAGING[this.bad.operation]!;
    const asked = input[paging.inputToken];
    const first = asked === undefined || asked === '';
    return { ...(first ? answer : { [paging.list]: [] }), [paging.token]: `${EMPTY_PAGE_TOKEN}${++this.emptyPages}` };
  }
}

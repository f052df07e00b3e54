import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { InventoryError } from '../errors';

/**
 * A call gave up before the deadline because it reached its own attempt cap (a Describe that keeps
 * failing for one job). Never retried: the caller decides what to do with the job.
 */
export class RetriesExhaustedError extends InventoryError {}

/**
 * What an SDK error means for a retry. The SDK's own classifiers (the ones its retry middleware uses)
 * decide throttling, transient and server errors; this module only adds the distinctions the
 * inventory needs on top of them.
 */
export type ErrorKind =
  /** Rate exceeded: retry after a pause, for as long as the run's time budget allows. */
  | 'throttling'
  /** 5xx, a reset connection: the service had a problem with this attempt; retry until the deadline. */
  | 'transient'
  /** The endpoint could not be reached or did not answer in time: retried a few times only, since it usually means a wrong endpoint or region. */
  | 'unreachable'
  /** Anything else (validation, access denied, not found): retrying will not help. */
  | 'permanent';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** 5xx answers that say the endpoint cannot serve this request at all (Not Implemented, HTTP Version Not Supported): another attempt gets the same. */
const NEVER_SERVED_STATUSES = new Set([501, 505]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function codeOf(error: SdkErrorShape, depth = 0): string | undefined {
  if (error.code) return error.code;
  return depth < 5 && error.cause && typeof error.cause === 'object' ? codeOf(error.cause as SdkErrorShape, depth + 1) : undefined;
}

export function classifyError(error: unknown): ErrorKind {
  if (!error || typeof error !== 'object') return 'permanent';
  const e = error as SdkErrorShape & Error;
  if (e.name === 'AbortError' || error instanceof RetriesExhaustedError) return 'permanent';
  if (isThrottlingError(e as never)) return 'throttling';
  const code = codeOf(e);
  if ((code && UNREACHABLE_CODES.has(code)) || TIMEOUT_NAMES.has(e.name ?? '')) return 'unreachable';
  if (NEVER_SERVED_STATUSES.has(e.$metadata?.httpStatusCode ?? 0)) return 'permanent';
  if (isTransientError(e as never) || isServerError(e as never)) return 'transient';
  return 'permanent';
}

/** The SDK error under one of our wrappers (which keep it as `cause`). */
function sdkError(error: unknown): SdkErrorShape | undefined {
  let current = error as SdkErrorShape | undefined;
  while (current && current.$metadata === undefined && current.cause && typeof current.cause === 'object' && !current.code) {
    current = current.cause as SdkErrorShape;
  }
  return current;
}

/** DescribeTrainingJob's ResourceNotFound, or ListTags' ValidationException for a deleted job. */
export function isNotFound(error: unknown): boolean {
  const e = sdkError(error);
  return e?.name === 'ResourceNotFound' || (e?.name === 'ValidationException' && /not (be )?found|does not exist/i.test(e.message ?? ''));
}

export function isAccessDenied(error: unknown): boolean {
  const name = sdkError(error)?.name ?? '';
  return name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation';
}

/** `Name (code): message after N attempts`, for an operator to read. */
export function describeAwsError(error: unknown): string {
  const e = error as SdkErrorShape;
  const code = e ? codeOf(e) : undefined;
  const attempts = e?.$metadata?.attempts ? ` after ${e.$metadata.attempts} attempts` : '';
  return `${e?.name ?? 'Error'}${code && code !== e?.name ? ` (${code})` : ''}: ${e?.message ?? String(error)}${attempts}`;
}

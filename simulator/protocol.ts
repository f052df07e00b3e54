import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The wire protocols the simulated services speak: AWS JSON 1.1 (SageMaker, the Tagging API;
 * `X-Amz-Target: Service.Operation`, JSON body) and the AWS query protocol with XML answers (STS;
 * form-encoded `Action=...`). The unmodified SDK v3 talks to them.
 */
export type Protocol = 'json' | 'query';

/** An error the service answers with: HTTP status, AWS error code, message. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function validation(message: string): AwsError {
  return new AwsError(400, 'ValidationException', message);
}

export interface ParsedRequest {
  readonly protocol: Protocol;
  /** The operation the request names (`ListTrainingJobs`), not yet checked against what is served. */
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** From the SigV4 credential scope; empty when the request is unsigned. */
  readonly accessKeyId: string;
  readonly region: string;
  readonly signed: boolean;
}

export function protocolOf(headers: IncomingHttpHeaders): Protocol {
  return headers['x-amz-target'] ? 'json' : 'query';
}

/** Reads the operation, its input and the signer's key and region from a request. A malformed body is an AwsError. */
export function parseRequest(headers: IncomingHttpHeaders, body: string): ParsedRequest {
  const target = String(headers['x-amz-target'] ?? '');
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  const signer = { accessKeyId: credential?.[1] ?? '', region: credential?.[2] ?? 'us-east-1', signed: credential !== null };
  if (target !== '') {
    let input: Record<string, unknown>;
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      throw new AwsError(400, 'SerializationException', 'Request body is not valid JSON');
    }
    return { protocol: 'json', operation: target.split('.').pop() ?? '', input, ...signer };
  }
  const form = new URLSearchParams(body);
  return { protocol: 'query', operation: form.get('Action') ?? '', input: Object.fromEntries(form), ...signer };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A successful answer's status, headers and body, for a caller that sends them itself (a trickled answer). */
export function answerOf(protocol: Protocol, output: unknown): { status: number; headers: Record<string, string>; body: Buffer } {
  const json = protocol === 'json';
  return {
    status: 200,
    headers: { 'content-type': json ? 'application/x-amz-json-1.1' : 'text/xml', 'x-amzn-requestid': randomUUID() },
    body: Buffer.from(json ? JSON.stringify(toWire(output)) : String(output)),
  };
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

/** A successful answer: JSON 1.1 for `json`, the XML document the operation built for `query`. */
export function sendAnswer(res: ServerResponse, protocol: Protocol, output: unknown): void {
  const { status, headers, body } = answerOf(protocol, output);
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(body);
}

export function sendError(res: ServerResponse, protocol: Protocol, error: AwsError): void {
  if (protocol === 'json') {
    res.setHeader('x-amzn-errortype', error.code);
    send(res, error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: error.code, message: error.message }));
    return;
  }
  send(
    res,
    error.status,
    'text/xml',
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** AWS JSON 1.1 sends timestamps as epoch seconds (fractions for milliseconds) and omits absent members. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined && key !== '$metadata') out[key] = toWire(member);
    return out;
  }
  return value;
}

/** A query-protocol (STS) answer document. */
export function queryXml(action: string, result: string): string {
  return (
    `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

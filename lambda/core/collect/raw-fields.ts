import type { DeserializeHandler, DeserializeHandlerArguments, HttpResponse, MetadataBearer } from '@smithy/types';

interface CommandWithStack {
  readonly middlewareStack: { add(middleware: never, options: { step: 'deserialize'; name: string; priority: 'low' }): void };
}

/**
 * Hands the response's JSON, as the service sent it, to `sink` before the SDK deserializes it. The SDK
 * drops members its model does not know; comparing the two is how fields newer than the SDK (and than
 * our schema) are reported instead of vanishing. The middleware sits below the deserializer, reads the
 * body once and passes the same bytes on.
 */
export function withRawJsonCapture<C extends CommandWithStack>(command: C, sink: (body: unknown) => void): C {
  const middleware =
    <Output extends MetadataBearer>(next: DeserializeHandler<object, Output>) =>
    async (args: DeserializeHandlerArguments<object>) => {
      const result = await next(args);
      const response = result.response as HttpResponse;
      if (response.statusCode >= 200 && response.statusCode < 300 && response.body) {
        const bytes = await collect(response.body);
        response.body = bytes;
        try {
          sink(JSON.parse(Buffer.from(bytes).toString('utf8')));
        } catch {
          // Not JSON: the deserializer will say so.
        }
      }
      return result;
    };
  command.middlewareStack.add(middleware as never, { step: 'deserialize', name: 'inventoryRawJsonCapture', priority: 'low' });
  return command;
}

async function collect(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * Paths of members present in the raw response but absent from what the SDK returned (`Name`,
 * `ResourceConfig.Name`, `InputDataConfig[].Name`), sorted. Members the SDK keeps appear in both; a
 * map's keys are data, kept by the SDK, so they never show up here.
 */
export function unknownFieldPaths(raw: unknown, parsed: unknown): string[] {
  const found = new Set<string>();
  walk(raw, parsed, '', found, 0);
  return [...found].sort();
}

function walk(raw: unknown, parsed: unknown, path: string, found: Set<string>, depth: number): void {
  if (depth > 20 || raw === null || typeof raw !== 'object') return;
  if (Array.isArray(raw)) {
    const items = Array.isArray(parsed) ? parsed : [];
    raw.forEach((item, i) => walk(item, items[i], `${path}[]`, found, depth + 1));
    return;
  }
  const known =
    parsed !== null && typeof parsed === 'object' && !(parsed instanceof Date) ? (parsed as Record<string, unknown>) : undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (known === undefined || !(key in known)) {
      if (known !== undefined) found.add(path ? `${path}.${key}` : key);
      continue;
    }
    walk(value, known[key], path ? `${path}.${key}` : key, found, depth + 1);
  }
}

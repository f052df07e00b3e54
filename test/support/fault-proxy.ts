import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request: pass it on, answer it itself, hold it for ever, or drop the connection. */
export type ProxyAction = 'pass' | 'hang' | 'reset' | { readonly status: number; readonly body: string };

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen, as `METHOD path?query`. */
  readonly seen: string[];
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real server (the moto S3 server) that lets a test fail chosen requests:
 * a middle UploadPart, the CompleteMultipartUpload, one object's PutObject. Everything else reaches the
 * server untouched, so what the client sees is the server's own behaviour plus exactly one fault.
 */
export async function startFaultProxy(target: string, decide: (req: IncomingMessage) => ProxyAction): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const action = decide(req);
    if (action === 'hang') return;
    if (action === 'reset') return req.socket.destroy();
    if (action !== 'pass') {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/xml' });
      return res.end(action.body);
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const S3_INTERNAL_ERROR: ProxyAction = {
  status: 500,
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
};
export const S3_ACCESS_DENIED: ProxyAction = {
  status: 403,
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
};

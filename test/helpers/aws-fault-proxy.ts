import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface FaultOptions {
  /** Share of calls answered RequestLimitExceeded (EC2) or Throttling (ELBv2) without reaching the endpoint. */
  throttleShare: number;
  /** Share of calls answered 500 InternalError without reaching the endpoint. */
  errorShare: number;
  /** Added to every call, uniformly up to this many milliseconds. */
  maxLatencyMs: number;
  /** Where each call's roll comes from (Math.random by default); a fixed sequence makes a test's faults exact. */
  random?: () => number;
}

export interface FaultProxy {
  url: string;
  injected: { throttled: number; errors: number; passed: number };
  /** The calls that reached the endpoint, by API action (the query protocol's Action). */
  passedByAction: Map<string, number>;
  /** Changes the faults from now on (all zero: a clean pass-through). */
  set(faults: Partial<FaultOptions>): void;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of the AWS endpoint that answers a share of calls
 * with AWS's own throttling and server errors, in each protocol's error
 * format, and delays the rest. Faults are injected before the call reaches
 * the endpoint, as a throttled or failed call is on AWS: nothing happened.
 */
export async function startFaultProxy(target: string, faults: FaultOptions): Promise<FaultProxy> {
  let current = { ...faults };
  const injected = { throttled: 0, errors: 0, passed: 0 };
  const passedByAction = new Map<string, number>();
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (current.maxLatencyMs > 0) await delay(Math.random() * current.maxLatencyMs);
    const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'ec2';
    const roll = (current.random ?? Math.random)();
    if (roll < current.throttleShare) {
      injected.throttled++;
      return fault(res, service, service === 'ec2' ? 503 : 400, service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling', 'Rate exceeded');
    }
    if (roll < current.throttleShare + current.errorShare) {
      injected.errors++;
      return fault(res, service, 500, 'InternalError', 'An internal error has occurred');
    }
    injected.passed++;
    const action = new URLSearchParams(body.toString()).get('Action') ?? 'Unknown';
    passedByAction.set(action, (passedByAction.get(action) ?? 0) + 1);
    const forwarded = request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: upstream.host },
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forwarded.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    forwarded.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    injected,
    passedByAction,
    set(next) { current = { ...current, ...next }; },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An error in the protocol's format: EC2's query errors, or the awsQuery ErrorResponse of ELBv2. */
function fault(res: ServerResponse, service: string, status: number, code: string, message: string): void {
  const requestId = `fault-${Math.random().toString(16).slice(2)}`;
  const body = service === 'ec2'
    ? `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
    : `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(body);
}

import type { KObject } from '../../../api/kind.js';
import { StatusError } from '../../../api/status.js';
import { Channel, type LogOptions } from '../../nats/stream-frames.js';
import type { NodeStreams } from '../streaming/node-streams.js';
import { statusErrorOf } from '../streaming/node-streams.js';
import type { RequestContext } from './context.js';
import { queryBool } from '../http/query.js';

const invalid = (name: string, field: string, value: unknown, message: string) =>
  new StatusError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${message}`, {
    name, kind: 'PodLogOptions', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}`, field }],
  });

/** The container a streaming request means: the one named, or the only one; kube's messages otherwise. */
export function containerOf(pod: KObject, named: string | null): string {
  const spec = pod.spec ?? {};
  const containers: string[] = (spec.containers ?? []).map((c: KObject) => c.name);
  const init: string[] = (spec.initContainers ?? []).map((c: KObject) => c.name);
  const ephemeral: string[] = (spec.ephemeralContainers ?? []).map((c: KObject) => c.name);
  const name = pod.metadata.name;
  if (!named) {
    if (containers.length === 1) return containers[0];
    const choices = [`choose one of: [${containers.join(' ')}]`, ...(init.length ? [`or one of the init containers: [${init.join(' ')}]`] : []), ...(ephemeral.length ? [`or one of the ephemeral containers: [${ephemeral.join(' ')}]`] : [])];
    throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, ${choices.join(' ')}`);
  }
  if (![...containers, ...init, ...ephemeral].includes(named)) throw new StatusError(400, 'BadRequest', `container ${named} is not valid for pod ${name}`);
  return named;
}

/** The pod's node, or kube's message for a pod not placed yet. */
export function nodeOf(pod: KObject): string {
  const node = pod.spec?.nodeName;
  if (!node) throw new StatusError(400, 'BadRequest', `pod ${pod.metadata.name} does not have a host assigned`);
  return node;
}

/** The API server's way to the nodes' agents, or a 503 when it was started without one. */
export function reachable(streams: NodeStreams | undefined): NodeStreams {
  if (!streams) throw new StatusError(503, 'ServiceUnavailable', 'the API server has no connection to the nodes\' agents (start it with --nats-servers)');
  return streams;
}

function logOptions(name: string, q: URLSearchParams): LogOptions {
  const bool = (key: string) => queryBool(q, key) ?? false;
  const int = (key: string) => {
    const v = q.get(key);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new StatusError(400, 'BadRequest', `invalid value "${v}" for ${key}: must be an integer`);
    return Number(v);
  };
  const options: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps') };
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw invalid(name, 'sinceSeconds', sinceSeconds, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw invalid(name, 'sinceSeconds', sinceSeconds, 'must be greater than 0');
    options.sinceMs = Date.now() - sinceSeconds * 1000;
  }
  if (sinceTime) {
    const ms = Date.parse(sinceTime);
    if (Number.isNaN(ms)) throw new StatusError(400, 'BadRequest', `invalid value "${sinceTime}" for sinceTime: must be an RFC 3339 time`);
    options.sinceMs = ms;
  }
  const tailLines = int('tailLines');
  if (tailLines !== undefined) {
    if (tailLines < 0) throw invalid(name, 'tailLines', tailLines, 'must be greater than or equal to 0');
    options.tailLines = tailLines;
  }
  const limitBytes = int('limitBytes');
  if (limitBytes !== undefined) {
    if (limitBytes < 1) throw invalid(name, 'limitBytes', limitBytes, 'must be greater than 0');
    options.limitBytes = limitBytes;
  }
  return options;
}

/**
 * GET pods/{name}/log: the container's log, streamed from the node's agent
 * over NATS as plain text (kubectl logs and its flags: -f, --tail, --since,
 * --since-time, --timestamps, -c, --previous, --limit-bytes).
 */
export async function podLog(ctx: RequestContext, streams: NodeStreams | undefined): Promise<void> {
  if (ctx.req.method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const name = ctx.info.name!;
  const pod = await ctx.store.get(ctx.info.namespace!, name);
  const options = logOptions(name, ctx.query);
  const container = containerOf(pod, ctx.query.get('container'));
  const node = nodeOf(pod);
  const stream = await reachable(streams).open(node, 'logs', { namespace: pod.metadata.namespace!, pod: name, uid: pod.metadata.uid!, container, logs: options });
  const { res, req } = ctx;
  const gone = () => stream.close();
  req.once('close', gone);
  res.once('close', gone);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  try {
    for await (const frame of stream.frames) {
      if (frame.channel === Channel.stdout || frame.channel === Channel.stderr) {
        if (!res.write(frame.data)) await new Promise((r) => res.once('drain', r));
      } else if (frame.channel === Channel.status) {
        const status = JSON.parse(frame.data.toString('utf8'));
        // Headers are sent: a failure after the first byte can only end the stream, as the kubelet's does.
        if (status.status !== 'Success') res.write(`${statusErrorOf(status, node).message}\n`);
      }
    }
  } finally {
    stream.close();
    res.end();
  }
}

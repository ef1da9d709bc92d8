import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { RuntimeClient } from '../cri/runtime-client.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../pods/cri-config.js';
import { Channel } from '../../control-plane/nats/stream-frames.js';
import { formatRecord, splitRecords, tail, type LogRecord } from './cri-log.js';
import { StreamError, type StreamContext } from './stream-server.js';

/** How often a followed log is read again, and its container's state looked at. */
const FOLLOW_POLL_MS = 200;

interface LoggedContainer {
  id: string;
  attempt: number;
  state: string;
  logPath: string;
}

/**
 * `kubectl logs`: the log of a container of a pod on this node, read from
 * the file the runtime writes (the current attempt, or with `previous` the
 * one before it), with the kubelet's messages when there is none; with
 * `follow`, new lines as they come until the container stops or the client
 * goes away.
 */
export function containerLogs(runtime: RuntimeClient) {
  return async (ctx: StreamContext): Promise<void> => {
    const { request } = ctx;
    const options = request.logs!;
    const attempts = await containerAttempts(runtime, request.uid, request.container);
    const name = request.container;
    let target: LoggedContainer | undefined;
    if (options.previous) {
      // The attempt before the current one, as the kubelet keeps it (the runtime holds both until the pod goes).
      target = attempts[1];
      if (!target) throw new StreamError(400, 'BadRequest', `previous terminated container "${name}" in pod "${request.pod}" not found`);
    } else {
      target = attempts[0];
      if (!target || target.state === 'CONTAINER_CREATED') throw new StreamError(400, 'BadRequest', `container "${name}" in pod "${request.pod}" is waiting to start: ContainerCreating`);
    }
    ctx.accept();
    let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
    let continuation = false;
    const write = (records: LogRecord[]): boolean => {
      for (const r of records) {
        if (options.sinceMs !== undefined && r.timeMs < options.sinceMs) continue;
        let text = Buffer.from(formatRecord(r, continuation, options));
        continuation = r.partial;
        if (text.length > budget) text = text.subarray(0, budget);
        budget -= text.length;
        if (text.length) ctx.send(Channel.stdout, text);
        if (budget <= 0) return false;
      }
      return true;
    };
    let offset = 0;
    let rest = '';
    const readMore = async (): Promise<LogRecord[]> => {
      const size = await stat(target!.logPath).then((s) => s.size, () => 0);
      if (size <= offset) return [];
      const file = await open(target!.logPath, 'r');
      try {
        const buf = Buffer.alloc(size - offset);
        const { bytesRead } = await file.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const split = splitRecords(rest + buf.subarray(0, bytesRead).toString('utf8'));
        rest = split.rest;
        return split.records;
      } finally {
        await file.close();
      }
    };
    const first = await readMore();
    if (!write(options.tailLines !== undefined ? tail(first, options.tailLines) : first)) return;
    if (!options.follow || options.previous) return;
    for (let since = Date.now(); !ctx.signal.aborted;) {
      await delay(FOLLOW_POLL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) return;
      if (!write(await readMore())) return;
      if (Date.now() - since >= 1_000) {
        since = Date.now();
        const state = (await runtime.runtimeCall('ContainerStatus', { containerId: target.id }).catch(() => undefined))?.status?.state;
        // Once it has stopped, what it wrote until then is read, and the stream ends as the kubelet ends it.
        if (state !== 'CONTAINER_RUNNING') {
          write(await readMore());
          return;
        }
      }
    }
  };
}

/** The container's attempts on this node, newest first, with where their logs are. */
async function containerAttempts(runtime: RuntimeClient, podUid: string, container: string): Promise<LoggedContainer[]> {
  const { containers } = await runtime.runtimeCall('ListContainers', { filter: { labelSelector: { [LABEL_POD_UID]: podUid, [LABEL_CONTAINER_NAME]: container } } });
  const statuses = await Promise.all((containers ?? []).map(async (c: { id: string }) => (await runtime.runtimeCall('ContainerStatus', { containerId: c.id })).status));
  return statuses
    .map((s) => ({ id: s.id as string, attempt: s.metadata.attempt as number, state: s.state as string, logPath: s.logPath as string }))
    .sort((a, b) => b.attempt - a.attempt);
}

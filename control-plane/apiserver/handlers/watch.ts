import type { Kind, KObject } from '../../../api/kind.js';
import { apiVersionOf } from '../../../api/kind.js';
import { badRequest, StatusError } from '../../../api/status.js';
import { toStatusError } from '../http/respond.js';
import { objectFilter } from '../object-filter.js';
import type { CacheEvent } from '../storage/watch-cache.js';
import { toTable } from '../table.js';
import type { RequestContext } from './context.js';
import { includeObject } from './read.js';
import { queryBool } from '../http/query.js';

/** How often a watch that allows bookmarks gets one. */
export const BOOKMARK_INTERVAL_MS = Number(process.env.SKIFF_BOOKMARK_INTERVAL_MS ?? 30_000);
/** A client that reads slower than this much output is cut off, as kube-apiserver does. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_S = 1800;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Serves a watch from the resource's watch cache: optional initial state,
 * then every change after the requested resourceVersion, filtered by
 * namespace and selectors, with bookmarks and a timeout.
 */
export async function watch(ctx: RequestContext): Promise<void> {
  const { query, kind, store, res, req } = ctx;
  const namespace = ctx.info.namespace;
  const selected = objectFilter(kind, singleObjectQuery(ctx));
  const matches = (obj: KObject) => (!namespace || obj.metadata?.namespace === namespace) && (!selected || selected(obj));
  const rv = query.get('resourceVersion') ?? '';
  const bookmarks = queryBool(query, 'allowWatchBookmarks') ?? false;
  const sendInitial = queryBool(query, 'sendInitialEvents');
  if (sendInitial !== undefined && query.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  const initial = sendInitial ?? (rv === '' || rv === '0');
  const timeoutRaw = query.get('timeoutSeconds');
  const timeoutS = timeoutRaw ? Number(timeoutRaw) : DEFAULT_TIMEOUT_S * (1 + Math.random());
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw badRequest(`invalid timeoutSeconds: ${timeoutRaw}`);
  let from: number;
  if (rv !== '' && rv !== '0') {
    from = Number(rv);
    if (!Number.isSafeInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rv}`);
  } else from = 0;

  await store.cache.start();
  const table = ctx.format === 'table';
  const include = table ? includeObject(query) : 'Object';
  let columnsSent = false;
  const line = (type: string, obj: KObject, shared?: CacheEvent): string => {
    if (table) {
      const t = toTable(kind, [obj], { resourceVersion: obj.metadata?.resourceVersion }, include, !columnsSent);
      columnsSent = true;
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    if (shared) {
      shared.json ??= JSON.stringify(shared.object);
      if (shared.object === obj) return `{"type":"${type}","object":${shared.json}}\n`;
    }
    return `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let closed = false;
  let unsubscribe: () => void = () => undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    timers.forEach((t) => clearInterval(t));
    res.end();
  };
  req.on('close', finish);
  res.on('close', finish);
  // Events of one event-loop turn leave in one socket write (one TLS record)
  // rather than one each: a busy collection sends many per turn.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const write = (text: string) => {
    if (closed) return;
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(uncork);
    }
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const writeError = (err: StatusError) => write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`);

  let sent = from;
  if (initial) {
    try {
      const listed = await store.list({ namespace, filter: selected });
      from = Number(listed.resourceVersion);
      for (const item of listed.items) write(line('ADDED', stamp(kind, item)));
      sent = from;
    } catch (err) {
      writeError(toStatusError(err));
      finish();
      return;
    }
    if (bookmarks && sendInitial === true) {
      write(line('BOOKMARK', bookmark(kind, String(from), { 'k8s.io/initial-events-end': 'true' })));
    }
  }
  if (closed) return;
  try {
    unsubscribe = store.cache.subscribe(from, {
      deliver(event) {
        const type = transition(event, matches);
        if (!type) return;
        sent = event.revision;
        write(line(type, event.object, event));
      },
      close() {
        finish();
      },
    });
  } catch (err) {
    writeError(toStatusError(err));
    finish();
    return;
  }
  if (bookmarks) {
    timers.push(setInterval(() => {
      const at = Math.max(sent, store.cache.revision);
      write(line('BOOKMARK', bookmark(kind, String(at))));
    }, BOOKMARK_INTERVAL_MS));
  }
  timers.push(setTimeout(finish, timeoutS * 1000));
}

/** A watch on one object (`/pods/name?watch=1`) is a watch with a name field selector. */
function singleObjectQuery(ctx: RequestContext): URLSearchParams {
  if (!ctx.info.name) return ctx.query;
  const q = new URLSearchParams(ctx.query);
  const existing = q.get('fieldSelector');
  q.set('fieldSelector', existing ? `${existing},metadata.name=${ctx.info.name}` : `metadata.name=${ctx.info.name}`);
  return q;
}

/** How an event looks to a filtered watcher: objects entering or leaving the selection are ADDED or DELETED. */
function transition(event: CacheEvent, matches: (o: KObject) => boolean): EventType | undefined {
  if (event.type !== 'MODIFIED') return matches(event.object) ? event.type : undefined;
  const now = matches(event.object);
  const before = event.previous ? matches(event.previous) : false;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

function stamp(kind: Kind, obj: KObject): KObject {
  obj.apiVersion ??= apiVersionOf(kind);
  obj.kind ??= kind.kind;
  return obj;
}

function bookmark(kind: Kind, resourceVersion: string, annotations?: Record<string, string>): KObject {
  return { kind: kind.kind, apiVersion: apiVersionOf(kind), metadata: { resourceVersion, ...(annotations ? { annotations } : {}) } };
}

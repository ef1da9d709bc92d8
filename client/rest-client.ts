import http from 'node:http';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, type Status } from './api-error.js';
import type { ClientConfig } from './kubeconfig.js';
import { resourcePath, type AnyObject, type KubeList, type KubeObject, type ResourceRef } from './resource.js';
import { TokenBucket } from './token-bucket.js';

export { ApiError } from './api-error.js';

export interface RestClientOptions {
  /** Sustained requests a second; 0 turns client-side rate limiting off. Defaults to client-go's 5. */
  qps?: number;
  /** Requests allowed at once above the sustained rate. Defaults to client-go's 10. */
  burst?: number;
  /** Deadline for a whole request, answer body included; 0 waits forever. Watches are exempt once answered. */
  timeoutMs?: number;
  userAgent?: string;
  /** How often a request the server asked to retry (429, or 5xx with Retry-After) is retried. */
  maxRetries?: number;
}

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

export interface RawRequest {
  method: string;
  /** Path below the server URL, starting with '/'. */
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends RequestOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface GetOptions extends RequestOptions {
  namespace?: string;
  subresource?: string;
  resourceVersion?: string;
}

export interface WriteOptions extends RequestOptions {
  /** Validate and default, but persist nothing. */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface DeleteOptions extends RequestOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** merge: RFC 7386; json: RFC 6902; strategic: Kubernetes strategic merge; apply: server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  // JSON is YAML, so an apply body can be sent as JSON under the YAML type.
  apply: 'application/apply-patch+yaml',
};

// How long a token read from a file is trusted before the file is read again.
const tokenFileTtlMs = 60_000;

/**
 * Talks the Kubernetes REST API for any resource. Every request, watches
 * included, passes the client's token bucket first, like client-go's.
 */
export class RestClient {
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly limiter?: TokenBucket;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly maxRetries: number;
  private fileToken?: { value: string; readAt: number };

  constructor(readonly config: ClientConfig, options: RestClientOptions = {}) {
    this.base = new URL(config.server);
    if (this.base.protocol === 'https:') {
      this.transport = https;
      this.agent = new https.Agent({
        keepAlive: true,
        ca: config.ca,
        cert: config.cert,
        key: config.key,
        rejectUnauthorized: !config.insecure,
      });
    } else if (this.base.protocol === 'http:') {
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true });
    } else {
      throw new Error(`unsupported API server URL ${config.server}: use https:// (or http:// for a local test server)`);
    }
    const qps = options.qps ?? 5;
    if (qps > 0) this.limiter = new TokenBucket(qps, Math.max(1, options.burst ?? 10));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.userAgent = options.userAgent ?? `skiff/0.1.0 (${process.platform}/${process.arch}) node/${process.versions.node}`;
    this.maxRetries = options.maxRetries ?? 10;
  }

  async get<T extends KubeObject = AnyObject>(ref: ResourceRef, name: string, opts: GetOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'GET',
      path: resourcePath(ref, { namespace: opts.namespace, name, subresource: opts.subresource }),
      query: { resourceVersion: opts.resourceVersion },
      signal: opts.signal,
    });
  }

  /**
   * One page when `limit` is set; follow `metadata.continue` for the rest. As
   * the API serves them, the items carry no kind or apiVersion of their own.
   */
  async list<T extends KubeObject = AnyObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>({
      method: 'GET',
      path: resourcePath(ref, { namespace: opts.namespace }),
      query: listQuery(opts),
      signal: opts.signal,
    });
  }

  /**
   * The namespace comes from the object, else from `opts`. With a subresource
   * (pods/binding, pods/eviction) the object's name names the parent.
   */
  async create<T extends KubeObject = AnyObject>(ref: ResourceRef, obj: T, opts: WriteOptions & { namespace?: string; subresource?: string } = {}): Promise<T> {
    const namespace = ref.namespaced ? obj.metadata?.namespace ?? opts.namespace : undefined;
    if (ref.namespaced && !namespace) throw new Error(`creating ${ref.resource} needs a namespace, in the object or the options`);
    const name = opts.subresource ? requireName(ref, obj) : undefined;
    return this.request<T>({
      method: 'POST',
      path: resourcePath(ref, { namespace, name, subresource: opts.subresource }),
      query: writeQuery(opts),
      body: obj,
      signal: opts.signal,
    });
  }

  /** A full replace; metadata.resourceVersion, when set, makes it conditional. */
  async update<T extends KubeObject = AnyObject>(ref: ResourceRef, obj: T, opts: WriteOptions & { subresource?: string } = {}): Promise<T> {
    return this.request<T>({
      method: 'PUT',
      path: resourcePath(ref, {
        namespace: ref.namespaced ? obj.metadata?.namespace : undefined,
        name: requireName(ref, obj),
        subresource: opts.subresource,
      }),
      query: writeQuery(opts),
      body: obj,
      signal: opts.signal,
    });
  }

  async updateStatus<T extends KubeObject = AnyObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.update(ref, obj, { ...opts, subresource: 'status' });
  }

  /** `apply` needs a fieldManager; `force` takes over fields other managers own. */
  async patch<T extends KubeObject = AnyObject>(
    ref: ResourceRef,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions & { namespace?: string; subresource?: string; force?: boolean } = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('a server-side apply patch needs a fieldManager');
    if (opts.force && type !== 'apply') throw new Error('force applies only to server-side apply patches');
    return this.request<T>({
      method: 'PATCH',
      path: resourcePath(ref, { namespace: opts.namespace, name, subresource: opts.subresource }),
      query: { ...writeQuery(opts), force: opts.force || undefined },
      body: patch,
      contentType: patchContentTypes[type],
      signal: opts.signal,
    });
  }

  /** Answers the object while finalizers or a grace period hold it, otherwise a Success Status. */
  async delete<T extends KubeObject = AnyObject>(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.request<T | Status>({
      method: 'DELETE',
      path: resourcePath(ref, { namespace: opts.namespace, name }),
      query: deleteQuery(opts),
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  async deleteCollection<T extends KubeObject = AnyObject>(ref: ResourceRef, opts: ListOptions & DeleteOptions = {}): Promise<KubeList<T> | Status> {
    return this.request<KubeList<T> | Status>({
      method: 'DELETE',
      path: resourcePath(ref, { namespace: opts.namespace }),
      query: { ...listQuery(opts), ...deleteQuery(opts) },
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  /** Any request whose answer is JSON (or empty); failures throw ApiError. */
  async request<T>(req: RawRequest): Promise<T> {
    const body = await this.send(req, false);
    if (!body) return undefined as T;
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new Error(`${req.method} ${req.path}: the answer is not JSON: ${body.slice(0, 200)}`);
    }
  }

  /**
   * Opens a request whose answer is consumed as it arrives (watches, logs).
   * Resolves once a successful answer starts; the caller owns the stream and
   * ends it by destroying it or through `signal`.
   */
  stream(req: RawRequest): Promise<http.IncomingMessage> {
    return this.send(req, true);
  }

  /** Closes idle keep-alive connections; open streams are left to their owners. */
  close(): void {
    this.agent.destroy();
  }

  private send(req: RawRequest, streaming: true): Promise<http.IncomingMessage>;
  private send(req: RawRequest, streaming: false): Promise<string>;
  private async send(req: RawRequest, streaming: boolean): Promise<http.IncomingMessage | string> {
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const url = this.url(req.path, req.query);
    for (let attempt = 0; ; attempt++) {
      req.signal?.throwIfAborted();
      await this.limiter?.take(req.signal);
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json', 'user-agent': this.userAgent };
      const token = await this.bearerToken();
      if (token) headers.authorization = `Bearer ${token}`;
      if (payload) {
        headers['content-type'] = req.contentType ?? 'application/json';
        headers['content-length'] = payload.length;
      }
      const outcome = await this.exchange(req, url, headers, payload, streaming);
      if (outcome.kind === 'stale-socket') {
        if (attempt === 0) continue;
        throw outcome.error;
      }
      const { res, body } = outcome;
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) return streaming ? res : body;
      const failure = ApiError.fromResponse(code, body);
      const wait = retryAfterMs(res, failure);
      if (wait === undefined || attempt >= this.maxRetries) throw failure;
      await delay(wait, undefined, { signal: req.signal });
    }
  }

  /**
   * One HTTP exchange. A failed answer's body is always read; a successful
   * one only when not streaming. A reset on a reused keep-alive socket before
   * any answer means the server closed it while idle and never saw the
   * request, so the caller may send it once more.
   */
  private exchange(req: RawRequest, url: URL, headers: http.OutgoingHttpHeaders, payload: Buffer | undefined, streaming: boolean):
    Promise<{ kind: 'answer'; res: http.IncomingMessage; body: string } | { kind: 'stale-socket'; error: Error }> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      const clientReq = this.transport.request(url, { method: req.method, headers, agent: this.agent, signal: req.signal }, (res) => {
        answered = true;
        const code = res.statusCode ?? 0;
        if (streaming && code >= 200 && code < 300) {
          clearTimeout(timer);
          resolve({ kind: 'answer', res, body: '' });
          return;
        }
        readBody(res).then((body) => {
          clearTimeout(timer);
          resolve({ kind: 'answer', res, body });
        }, (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      if (this.timeoutMs > 0) {
        timer = setTimeout(() => {
          clientReq.destroy(new Error(`${req.method} ${req.path} timed out after ${this.timeoutMs}ms`));
        }, this.timeoutMs);
      }
      clientReq.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === 'ECONNRESET' && clientReq.reusedSocket && !answered) resolve({ kind: 'stale-socket', error: err });
        else reject(err);
      });
      clientReq.end(payload);
    });
  }

  private url(path: string, query: Query = {}): URL {
    const url = new URL(this.base.href);
    url.pathname = this.base.pathname.replace(/\/+$/, '') + path;
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async bearerToken(): Promise<string | undefined> {
    const file = this.config.tokenFile;
    if (!file) return this.config.token;
    const cached = this.fileToken;
    if (cached && performance.now() - cached.readAt < tokenFileTtlMs) return cached.value;
    try {
      const value = (await readFile(file, 'utf8')).trim();
      this.fileToken = { value, readAt: performance.now() };
      return value;
    } catch (err) {
      // A rotation can briefly leave the file missing; the last token read stays valid meanwhile.
      if (cached) return cached.value;
      throw err;
    }
  }
}

function listQuery(opts: ListOptions): Query {
  return {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    timeoutSeconds: opts.timeoutSeconds,
  };
}

function writeQuery(opts: WriteOptions): Query {
  return {
    dryRun: opts.dryRun ? 'All' : undefined,
    fieldManager: opts.fieldManager,
    fieldValidation: opts.fieldValidation,
  };
}

function deleteQuery(opts: DeleteOptions): Query {
  return {
    gracePeriodSeconds: opts.gracePeriodSeconds,
    propagationPolicy: opts.propagationPolicy,
    dryRun: opts.dryRun ? 'All' : undefined,
  };
}

// Preconditions have no query form; only a DeleteOptions body carries them.
function deleteBody(opts: DeleteOptions): unknown {
  if (!opts.preconditions) return undefined;
  return { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: opts.preconditions };
}

function requireName(ref: ResourceRef, obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`the ${ref.resource} object needs metadata.name here`);
  return name;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the answer was complete'));
    });
  });
}

// The longest pause a server's Retry-After may impose on one attempt.
const maxRetryAfterMs = 60_000;

/** Only answers the server explicitly asked to retry are retried: 429, or a 5xx with Retry-After. */
function retryAfterMs(res: http.IncomingMessage, failure: ApiError): number | undefined {
  const header = res.headers['retry-after'];
  const seconds = Number(header ?? failure.details?.retryAfterSeconds);
  const valid = Number.isFinite(seconds) && seconds >= 0;
  if (failure.code === 429) return Math.min(maxRetryAfterMs, valid ? seconds * 1000 : 1000);
  if (failure.code >= 500 && header !== undefined && valid) return Math.min(maxRetryAfterMs, seconds * 1000);
  return undefined;
}

import { createServer as createHttpServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SYSTEM_NAMESPACES } from '../../api/kinds/namespace.js';
import { kindFor, kinds } from '../../api/registry.js';
import { forbidden, methodNotAllowed, notFound, StatusError, unauthorized } from '../../api/status.js';
import { NAMESPACE_NODE_LEASE, NAMESPACE_SYSTEM } from '../../api/well-known.js';
import { firstServiceIp, parseCidr, parsePortRange } from './allocators/ip-range.js';
import { KubernetesService } from './kubernetes-service.js';
import { ensureSystemPriorityClasses } from './system-priority-classes.js';
import { serviceAllocations } from './allocators/service-allocations.js';
import { Authenticator, isPublicPath, Unauthenticated } from './auth/authenticate.js';
import { ensureSigningKey, loadVerificationKeys, ServiceAccountTokenIssuer, ServiceAccountTokenVerifier } from './auth/service-account-token.js';
import { loadTokenFile } from './auth/token-file.js';
import type { UserInfo } from './auth/user-info.js';
import { defaultHosts, ensureServingCerts } from './certs.js';
import { Compactor } from './compactor.js';
import { aggregatedContentType, aggregatedDiscovery, aggregatedDiscoveryVersion, apiGroupList, apiGroupOf, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import type { RequestContext } from './handlers/context.js';
import { remove, removeCollection } from './handlers/delete.js';
import { get, list } from './handlers/read.js';
import { binding, finalize, scale } from './handlers/subresources.js';
import { podLog } from './handlers/pod-log.js';
import { podExec } from './handlers/pod-exec.js';
import { podPortForward } from './handlers/pod-port-forward.js';
import { markUpgrade } from './streaming/websocket-channels.js';
import { NodeStreams } from './streaming/node-streams.js';
import { connectNats } from '../nats/connect.js';
import type { NatsConnection } from 'nats';
import { watch } from './handlers/watch.js';
import { create, patch, update, type MutatingAdmission } from './handlers/write.js';
import { defaultStorageClass } from './admission/default-storage-class.js';
import { defaultIngressClass } from './admission/default-ingress-class.js';
import { claimResize } from './admission/persistent-volume-claim-resize.js';
import { claimProtection, volumeProtection } from './admission/storage-object-in-use-protection.js';
import { podDefaults } from './admission/pod-defaults.js';
import { keepPodPriority, PriorityAdmission } from './admission/priority.js';
import { ServiceAccountAdmission } from './admission/service-account.js';
import { negotiate, send, sendError, sendRaw, toStatusError } from './http/respond.js';
import { ApiMetrics } from './metrics.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { isOpenApiPath, serveOpenApi } from './openapi/serve.js';
import type { ApiServerOptions } from './options.js';
import { ResourceStore } from './registry/resource-store.js';
import { parseRequestPath, type RequestInfo } from './request-info.js';
import { AuditLog } from './audit/audit-log.js';
import { EtcdKV } from './storage/etcd-kv.js';
import { loadEncryptionConfig, transformerFor } from './storage/encryption/config.js';
import { identityTransformer } from './storage/encryption/transformer.js';
import { resourcePrefix } from './registry/keys.js';
import { log } from '../../client/log.js';
import { ensureBootstrapPolicy } from './auth/rbac/bootstrap-policy.js';
import { policyStores, RbacAuthorizer, type Decision } from './auth/rbac/authorizer.js';
import { resourceVerb, type Attributes } from './auth/rbac/attributes.js';
import { forbiddenRequest } from './auth/forbidden.js';
import { checkEscalation } from './auth/rbac/escalation.js';
import { nodeNameOf, nodeRestriction } from './admission/node-restriction.js';
import { nodeReadRestriction } from './auth/node-authorizer.js';
import { signerPermission } from './admission/certificate-signers.js';
import { impersonate } from './auth/impersonation.js';
import { accessReview } from './handlers/access-review.js';
import { tokenRequest } from './handlers/token-request.js';
import { csrRequester } from './admission/csr-requester.js';
import type { KObject } from '../../api/kind.js';
import { closableServer } from '../../component-base/close-server.js';
import { queryBool } from './http/query.js';

/** How many past revisions the watch caches replay at start, when etcd still holds them. */
const WATCH_HISTORY_REVISIONS = 10_000;
const INITIAL_NAMESPACES = [...SYSTEM_NAMESPACES, NAMESPACE_NODE_LEASE];
const isWatch = (q: URLSearchParams) => queryBool(q, 'watch') ?? false;

/** The Kubernetes API on etcd: routing, authentication and the resource handlers. */
export class ApiServer {
  private kv!: EtcdKV;
  private stores = new Map<string, ResourceStore>();
  private server!: Server;
  private closeServer?: () => Promise<void>;
  private authenticator!: Authenticator;
  private audit?: AuditLog;
  private nats?: NatsConnection;
  private nodeStreams?: NodeStreams;
  private stopped = false;
  private authorizer?: RbacAuthorizer;
  /** Signs service account tokens (TokenRequest). */
  tokenIssuer!: ServiceAccountTokenIssuer;
  private namespaces!: NamespaceLifecycle;
  private compactor!: Compactor;
  private metrics!: ApiMetrics;
  /** Mutating admission by resource, run on creates. */
  private mutating = new Map<string, MutatingAdmission>();
  private priority!: PriorityAdmission;
  private kubernetesService?: KubernetesService;
  private serviceAccounts!: ServiceAccountAdmission;
  url = '';
  caFile?: string;

  constructor(readonly options: ApiServerOptions) {}

  storeFor(plural: string, group = ''): ResourceStore {
    const store = this.stores.get(`${group}/${plural}`);
    if (!store) throw new Error(`no kind serves ${group ? `${plural}.${group}` : plural}`);
    return store;
  }

  async start(): Promise<void> {
    const o = this.options;
    const encryption = o.encryptionProviderConfig ? loadEncryptionConfig(o.encryptionProviderConfig) : undefined;
    const transforms = encryption
      ? kinds.map((k) => ({ prefix: resourcePrefix(k), transformer: transformerFor(encryption, k.group, k.plural) })).filter((t) => t.transformer !== identityTransformer)
      : [];
    this.kv = new EtcdKV({ hosts: o.etcdServers, dialTimeout: 5000, ...etcdCredentials(o) }, transforms);
    await this.kv.currentRevision();
    const allocations = serviceAllocations(this.kv, parseCidr(o.serviceClusterIPRange), parsePortRange(o.serviceNodePortRange));
    for (const kind of kinds) {
      this.stores.set(`${kind.group}/${kind.plural}`, new ResourceStore(kind, this.kv, kind.kind === 'Service' ? allocations : {}));
    }
    const current = await this.kv.currentRevision();
    const historyFrom = await this.kv.oldestReadableRevision(current - WATCH_HISTORY_REVISIONS, current);
    await Promise.all([...this.stores.values()].map((s) => s.cache.start(historyFrom)));
    this.priority = new PriorityAdmission(this.storeFor('priorityclasses', 'scheduling.k8s.io'));
    this.serviceAccounts = new ServiceAccountAdmission(this.storeFor('serviceaccounts'));
    this.mutating.set('pods', async (pod, ctx) => {
      await this.serviceAccounts.admitPod(pod, ctx.info.namespace!);
      await this.priority.admitPod(pod);
      await podDefaults(pod);
    });
    const defaultClass = defaultStorageClass(this.storeFor('storageclasses', 'storage.k8s.io'));
    this.mutating.set('persistentvolumeclaims', async (claim) => {
      await defaultClass(claim);
      await claimProtection(claim);
    });
    this.mutating.set('persistentvolumes', volumeProtection);
    this.mutating.set('ingresses', defaultIngressClass(this.storeFor('ingressclasses', 'networking.k8s.io')));
    this.mutating.set('certificatesigningrequests', csrRequester);
    this.namespaces = new NamespaceLifecycle(this.storeFor('namespaces'));
    await this.namespaces.start();
    await this.ensureInitialNamespaces();
    await ensureSystemPriorityClasses(this.storeFor('priorityclasses', 'scheduling.k8s.io'));
    await this.priority.start();
    await this.serviceAccounts.start();
    this.compactor = new Compactor(this.kv, o.etcdCompactionIntervalMs);
    this.compactor.start();
    this.authenticator = this.makeAuthenticator();
    if (o.authorizationMode === 'RBAC') {
      const rbac = 'rbac.authorization.k8s.io';
      await ensureBootstrapPolicy({ clusterRoles: this.storeFor('clusterroles', rbac), clusterRoleBindings: this.storeFor('clusterrolebindings', rbac) });
      this.authorizer = new RbacAuthorizer({ stores: policyStores((plural, group) => this.storeFor(plural, group)) });
      await this.authorizer.start();
    }
    if (o.auditLogPath) this.audit = new AuditLog(o.auditLogPath);
    if (o.natsServers?.length) this.connectNodeStreams(o);
    this.metrics = new ApiMetrics(() => Object.fromEntries([...this.stores.values()].map((s) => [s.kind.plural, s.cache.watcherCount])));

    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    if (o.insecureServing) {
      this.server = createHttpServer({ keepAliveTimeout: 65_000 }, handler);
    } else {
      let cert = o.tlsCertFile;
      let key = o.tlsPrivateKeyFile;
      if (!cert || !key) {
        const generated = await ensureServingCerts(o.certDir, defaultHosts([o.bindAddress, ...(o.advertiseAddress ? [o.advertiseAddress] : []), firstServiceIp(o.serviceClusterIPRange)]));
        cert = generated.certFile;
        key = generated.keyFile;
        this.caFile = generated.caFile;
      }
      // Client certificates are asked for, and checked against the client CA; one that fails is a 401, not a refused handshake.
      const clientCA = o.clientCAFile ? { requestCert: true, rejectUnauthorized: false, ca: readFileSync(o.clientCAFile) } : {};
      this.server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key), keepAliveTimeout: 65_000, ...clientCA }, handler);
    }
    this.closeServer = closableServer(this.server);
    // exec, attach and port-forward switch protocols: their requests go through the same authentication,
    // authorization and audit, with a response written on the raw socket until the handler upgrades it.
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const res = new ServerResponse(req);
      res.assignSocket(socket);
      res.shouldKeepAlive = false;
      res.once('finish', () => socket.destroy());
      markUpgrade(req, { socket, head });
      void this.handle(req, res);
    });
    this.server.headersTimeout = 60_000;
    this.server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(o.securePort, o.bindAddress, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    const host = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? '127.0.0.1' : o.bindAddress;
    this.url = `${o.insecureServing ? 'http' : 'https'}://${host}:${port}`;
    this.kubernetesService = new KubernetesService(this.kv, {
      services: this.storeFor('services'), endpoints: this.storeFor('endpoints'), endpointSlices: this.storeFor('endpointslices', 'discovery.k8s.io'),
    }, firstServiceIp(o.serviceClusterIPRange), o.advertiseAddress ?? host, port);
    await this.kubernetesService.start();
    log.info('apiserver listening', { url: this.url });
  }

  private makeAuthenticator(): Authenticator {
    const o = this.options;
    const signingKey = ensureSigningKey(o.serviceAccountSigningKeyFile ?? `${o.certDir}/sa.key`);
    this.tokenIssuer = new ServiceAccountTokenIssuer(signingKey, o.serviceAccountIssuer);
    const verificationKeys = o.serviceAccountKeyFiles.length ? loadVerificationKeys(o.serviceAccountKeyFiles) : [signingKey];
    const uidOf = async (plural: string, namespace: string, name: string) => {
      const store = this.stores.get(`/${plural}`);
      if (!store) return undefined;
      try {
        return (await store.get(namespace, name)).metadata.uid as string;
      } catch {
        return undefined;
      }
    };
    const verifier = new ServiceAccountTokenVerifier(verificationKeys, [o.serviceAccountIssuer], o.apiAudiences ?? [o.serviceAccountIssuer], {
      serviceAccountUid: (ns, name) => uidOf('serviceaccounts', ns, name),
      objectUid: (kind, ns, name) => uidOf(kind === 'Pod' ? 'pods' : 'secrets', ns, name),
    });
    const secrets = this.storeFor('secrets');
    return new Authenticator({
      tokens: o.tokenAuthFile ? loadTokenFile(o.tokenAuthFile) : new Map(),
      clientCertificates: !!o.clientCAFile && !o.insecureServing,
      bootstrapSecret: o.enableBootstrapTokenAuth ? (name) => secrets.get(NAMESPACE_SYSTEM, name).catch(() => undefined) : undefined,
      serviceAccountTokens: verifier,
      anonymous: o.anonymousAuth,
    });
  }

  private async authenticate(req: IncomingMessage): Promise<UserInfo> {
    try {
      return await this.authenticator.authenticate(req);
    } catch (err) {
      if (err instanceof Unauthenticated) throw unauthorized();
      throw err;
    }
  }

  private async ensureInitialNamespaces(): Promise<void> {
    const store = this.storeFor('namespaces');
    for (const name of INITIAL_NAMESPACES) {
      try {
        await store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, undefined);
      } catch (err) {
        if (toStatusError(err).code !== 409) throw err;
      }
    }
  }

  /**
   * NATS, where the nodes' agents answer logs, exec, attach and
   * port-forward, is connected in the background and reconnected for as
   * long as the server runs: it may start after the API server, and until
   * it is reached those requests are 503s.
   */
  private connectNodeStreams(o: ApiServerOptions): void {
    if (!o.natsCAFile || !o.natsUser || !o.natsPasswordFile) throw new Error('--nats-servers needs --nats-ca-file, --nats-user and --nats-password-file');
    const password = readFileSync(o.natsPasswordFile, 'utf8').trim();
    void connectNats({
      servers: o.natsServers!, caFile: o.natsCAFile, user: o.natsUser, password, name: 'kube-apiserver',
      waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500,
    }).then((nc) => {
      if (this.stopped) {
        void nc.close();
        return;
      }
      this.nats = nc;
      this.nodeStreams = new NodeStreams(nc);
      log.info('connected to NATS for the node streams', { servers: o.natsServers });
    }, (err) => log.error('cannot connect to NATS', { error: (err as Error).message }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.kubernetesService?.stop();
    await this.nats?.close().catch(() => undefined);
    this.compactor?.stop();
    this.namespaces?.stop();
    this.priority?.stop();
    this.serviceAccounts?.stop();
    this.authorizer?.stop();
    await Promise.all([...this.stores.values()].map((s) => s.stop()));
    await this.closeServer?.();
    this.kv?.close();
    await this.audit?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const receivedAt = performance.timeOrigin + performance.now();
    let verb = req.method ?? 'GET';
    let group = '';
    let resource = '';
    let subresource = '';
    let user: UserInfo | undefined;
    /** Who authenticated, when it differs from `user` (impersonation). */
    let caller: UserInfo | undefined;
    let info: RequestInfo | undefined;
    let failure: StatusError | undefined;
    let query = new URLSearchParams();
    const authz: { decision?: 'allow' | 'forbid'; reason?: string } = {};
    try {
      // The raw path, not a parsed URL: URL parsing would resolve '..' segments.
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const path = q >= 0 ? raw.slice(0, q) : raw;
      query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
      if (isPublicPath(path)) {
        // Open to anyone, but credentials that are sent must be good.
        if (req.headers.authorization) user = await this.authenticate(req);
        await this.servePublic(path, query, res);
        return;
      }
      // Parsed before authentication, so a refused request is audited with what it asked for;
      // a path that does not parse is answered only after authentication.
      info = safely(() => parseRequestPath(path));
      caller = await this.authenticate(req);
      user = impersonate(req, caller, (a) => this.authorize(a).allowed);
      const resourceRequest = info?.resource ? info : undefined;
      const requestVerb = kubeVerb(req.method ?? 'GET', info, query);
      const attrs: Attributes = resourceRequest
        ? {
            user, verb: requestVerb, isResourceRequest: true, namespace: resourceRequest.namespace ?? '',
            apiGroup: resourceRequest.group, apiVersion: resourceRequest.version, resource: resourceRequest.resource,
            subresource: resourceRequest.subresource ?? '',
            // A list or watch narrowed to one name is authorized as a request for that name, as kube does.
            name: resourceRequest.name ?? ((requestVerb === 'list' || requestVerb === 'watch') ? nameFromFieldSelector(query) : undefined) ?? '',
          }
        : { user, verb: (req.method ?? 'GET').toLowerCase(), isResourceRequest: false, path };
      const decision = this.authorize(attrs);
      authz.decision = decision.allowed ? 'allow' : 'forbid';
      authz.reason = decision.reason;
      if (!decision.allowed) throw forbiddenRequest(attrs, decision.reason);
      const node = this.authorizer && nodeNameOf(user);
      if (node) {
        const refused = await nodeReadRestriction(node, attrs, async (namespace) =>
          (await this.storeFor('pods').list({ namespace, filter: (p) => p.spec?.nodeName === node })).items);
        if (refused) {
          authz.decision = 'forbid';
          authz.reason = refused;
          throw forbiddenRequest(attrs, refused);
        }
      }
      // Resource paths are never discovery, OpenAPI or metrics.
      if (!info?.resource && await this.serveNonResource(path, req, res)) return;
      info ??= parseRequestPath(path);
      if (!info || !info.version || !info.resource) throw notFound({ group: '', resource: '', name: path });
      group = info.group;
      resource = info.resource;
      subresource = info.subresource ?? '';
      const kind = kindFor(info.group, info.version, info.resource);
      if (!kind) {
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: info.group || undefined, kind: info.resource });
      }
      if (info.namespace !== undefined && !kind.namespaced) throw notFound({ group: info.group, resource: info.resource, name: info.name });
      const ctx: RequestContext = {
        req, res, info, query, kind, store: this.stores.get(`${kind.group}/${kind.plural}`)!,
        format: negotiate(req), user: user.name, userInfo: user, warnings: [],
      };
      ctx.admit = this.validatingAdmission(ctx, attrs.verb);
      if (info.legacyWatch) ctx.query.set('watch', 'true');
      verb = verbOf(req.method ?? 'GET', ctx);
      await this.serveResource(ctx);
    } catch (err) {
      failure = toStatusError(err);
      sendError(res, err);
    } finally {
      this.audit?.record({
        req, receivedAt, user: caller ?? user, impersonatedUser: caller && user !== caller ? user : undefined, verb: kubeVerb(req.method ?? 'GET', info, query),
        apiGroup: info?.group, apiVersion: info?.version, resource: info?.resource, subresource: info?.subresource, namespace: info?.namespace, name: info?.name,
        code: res.statusCode, reason: failure?.reason, message: failure?.message, decision: authz.decision, decisionReason: authz.reason,
      });
      const code = String(res.statusCode);
      this.metrics?.requests.inc({ verb, group, resource, subresource, code });
      if (verb !== 'WATCH') this.metrics?.latency.observe({ verb, group, resource }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** The authorizer's answer; everything is allowed under --authorization-mode=AlwaysAllow. */
  private authorize(attrs: Attributes): Decision {
    return this.authorizer ? this.authorizer.authorize(attrs) : { allowed: true, reason: '' };
  }

  /**
   * Validating admission for one request: node restriction for node
   * identities, RBAC's escalation check on roles and bindings, and the
   * Priority plugin's part on updates (pods, priority classes).
   */
  private validatingAdmission(ctx: RequestContext, verb: string): RequestContext['admit'] {
    const node = nodeNameOf(ctx.userInfo);
    // Escalation and signer checks look at what a write stores; deletes store nothing.
    const writes = verb !== 'delete' && verb !== 'deletecollection';
    const rbac = writes && ctx.kind.group === 'rbac.authorization.k8s.io' && this.authorizer;
    const signers = writes && ctx.kind.kind === 'CertificateSigningRequest' && this.authorizer;
    // The Priority plugin: a pod update keeps its priority; a class may not be a second global default.
    const priority = writes && !ctx.info.subresource && (ctx.kind.kind === 'Pod' || ctx.kind.kind === 'PriorityClass');
    // PersistentVolumeClaimResize: growing a claim needs it bound and its class to allow expansion.
    const resize = writes && !ctx.info.subresource && ctx.kind.kind === 'PersistentVolumeClaim';
    if (!node && !rbac && !signers && !priority && !resize) return undefined;
    const { info, kind, store } = ctx;
    return async (obj: KObject, old?: KObject) => {
      const target = { group: kind.group, resource: kind.plural, name: info.name ?? obj.metadata?.name };
      if (priority && kind.kind === 'Pod' && old) keepPodPriority(obj, old);
      if (priority && kind.kind === 'PriorityClass') await this.priority.validateClass(obj, old);
      if (resize && old) {
        const reason = await claimResize(this.storeFor('storageclasses', 'storage.k8s.io'))(obj, old);
        if (reason) throw forbidden(target, reason);
      }
      if (node) {
        const reason = await nodeRestriction(node, {
          verb, group: kind.group, resource: kind.plural, subresource: info.subresource, namespace: info.namespace, name: info.name, object: obj,
          existing: async () => old ?? store.get(info.namespace, info.name!).catch(() => undefined),
        });
        if (reason) throw forbidden(target, reason);
      }
      if (signers) {
        const reason = signerPermission(ctx.userInfo, obj, old, info.subresource, (a) => this.authorize(a).allowed);
        if (reason) throw forbidden(target, reason);
      }
      if (rbac && !info.subresource) {
        const reason = checkEscalation(this.authorizer!, ctx.userInfo, obj, { kind: kind.kind, namespace: info.namespace, old });
        if (reason) throw forbidden(target, reason);
      }
    };
  }

  private async servePublic(path: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    // kube-apiserver serves /version/ as /version; the official Python client asks for it.
    if (path === '/version' || path === '/version/') {
      send(res, 200, SERVER_VERSION);
      return;
    }
    const checks: Array<[string, () => Promise<unknown>]> = [['ping', async () => undefined]];
    if (path.startsWith('/readyz') || path.startsWith('/healthz')) checks.push(['etcd', () => withTimeout(this.kv.currentRevision(), 2000)]);
    const lines: string[] = [];
    let healthy = true;
    for (const [name, check] of checks) {
      try {
        await check();
        lines.push(`[+]${name} ok`);
      } catch {
        healthy = false;
        lines.push(`[-]${name} failed: reason withheld`);
      }
    }
    const verbose = query.has('verbose');
    const word = path.split('/')[1];
    const body = verbose || !healthy ? `${lines.join('\n')}\n${word} check ${healthy ? 'passed' : 'failed'}\n` : 'ok';
    sendRaw(res, healthy ? 200 : 500, body, 'text/plain; charset=utf-8');
  }

  /** Discovery, OpenAPI and metrics; false when the path is a resource path. */
  private async serveNonResource(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const trimmed = path.replace(/\/+$/, '') || '/';
    const address = `${req.socket.localAddress}:${req.socket.localPort}`;
    const nonResource = trimmed === '/' || trimmed === '/api' || trimmed === '/apis' || trimmed === '/metrics' || trimmed.startsWith('/openapi/')
      || /^\/api\/[^/]+$/.test(trimmed) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(trimmed);
    if (nonResource && req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('the server does not allow this method on the requested resource');
    if (trimmed === '/api' || trimmed === '/apis') {
      const aggregated = aggregatedDiscoveryVersion(req.headers.accept);
      if (aggregated) {
        // The answer depends on Accept: caches must keep the aggregated and the legacy forms apart.
        sendRaw(res, 200, JSON.stringify(aggregatedDiscovery(kinds, trimmed === '/api' ? 'api' : 'apis', aggregated)), aggregatedContentType(aggregated), { Vary: 'Accept' });
        return true;
      }
    }
    if (trimmed === '/api') return send(res, 200, apiVersions(address)), true;
    if (trimmed === '/apis') return send(res, 200, apiGroupList(kinds)), true;
    if (trimmed === '/metrics') {
      sendRaw(res, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
      return true;
    }
    if (isOpenApiPath(trimmed)) {
      if (!serveOpenApi(req, res, kinds)) throw notFound({ group: '', resource: 'openapi', name: trimmed });
      return true;
    }
    const gv = /^\/(api|apis)\/([^/]+)(?:\/([^/]+))?$/.exec(trimmed);
    if (gv) {
      if (gv[1] === 'api') {
        if (gv[3]) return false;
        const list = apiResourceList(kinds, '', gv[2]);
        if (!list) throw notFound({ group: '', resource: '', name: gv[2] });
        return send(res, 200, list), true;
      }
      if (!gv[3]) {
        const group = apiGroupOf(kinds, gv[2]);
        if (!group) throw notFound({ group: gv[2], resource: '', name: '' });
        return send(res, 200, group), true;
      }
      const list = apiResourceList(kinds, gv[2], gv[3]);
      if (!list) throw notFound({ group: gv[2], resource: '', name: gv[3] });
      return send(res, 200, list), true;
    }
    if (trimmed === '/' ) {
      send(res, 200, { paths: ['/api', '/api/v1', '/apis', ...[...new Set(kinds.filter((k) => k.group).map((k) => `/apis/${k.group}/${k.version}`))], '/healthz', '/livez', '/readyz', '/metrics', '/openapi/v2', '/openapi/v3', '/version'] });
      return true;
    }
    return false;
  }

  private async serveResource(ctx: RequestContext): Promise<void> {
    const method = ctx.req.method;
    const { name, subresource } = ctx.info;
    if (subresource) {
      if (subresource === 'status' && ctx.kind.subresources?.status) {
        if (method === 'GET') return get(ctx);
        if (method === 'PUT') return update(ctx, (ns, target) => this.namespaces.admit(ns, target));
        if (method === 'PATCH') return patch(ctx);
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      }
      if (subresource === 'scale' && ctx.kind.subresources?.scale) return scale(ctx);
      if (subresource === 'binding' && ctx.kind.subresources?.binding) return binding(ctx);
      if (subresource === 'finalize' && ctx.kind.kind === 'Namespace') return finalize(ctx);
      if (subresource === 'approval' && ctx.kind.subresources?.approval) {
        if (method === 'GET') return get(ctx);
        if (method === 'PUT') return update(ctx, (ns, target) => this.namespaces.admit(ns, target));
        if (method === 'PATCH') return patch(ctx);
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      }
      if (subresource === 'log' && ctx.kind.subresources?.streaming) return podLog(ctx, this.nodeStreams);
      if ((subresource === 'exec' || subresource === 'attach') && ctx.kind.subresources?.streaming) return podExec(ctx, this.nodeStreams, subresource);
      if (subresource === 'portforward' && ctx.kind.subresources?.streaming) return podPortForward(ctx, this.nodeStreams);
      if (subresource === 'token' && ctx.kind.subresources?.token) {
        const audiences = this.options.apiAudiences ?? [this.options.serviceAccountIssuer];
        return tokenRequest(ctx, this.tokenIssuer, audiences, { Pod: this.storeFor('pods'), Secret: this.storeFor('secrets') }, nodeNameOf(ctx.userInfo));
      }
      throw notFound({ group: ctx.kind.group, resource: `${ctx.kind.plural}/${subresource}`, name });
    }
    if (ctx.kind.virtual) {
      if (method === 'POST' && !name) return accessReview(ctx, (attrs) => this.authorize(attrs), (user, ns) => this.authorizer?.rulesFor(user, ns));
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
    if (!name) {
      if (method === 'GET') return isWatch(ctx.query) ? watch(ctx) : list(ctx);
      if (method === 'POST') return create(ctx, (ns, target) => this.namespaces.admit(ns, target), this.mutating.get(ctx.kind.plural));
      if (method === 'DELETE' && (ctx.kind.verbs ?? ['deletecollection']).includes('deletecollection')) return removeCollection(ctx);
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
    if (method === 'GET') return isWatch(ctx.query) ? watch(ctx) : get(ctx);
    if (method === 'PUT') return update(ctx, (ns, target) => this.namespaces.admit(ns, target));
    if (method === 'PATCH') return patch(ctx);
    if (method === 'DELETE') return remove(ctx);
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
}

/** etcd3's TLS options from --etcd-cafile, --etcd-certfile and --etcd-keyfile. */
function etcdCredentials(o: ApiServerOptions): { credentials?: { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } } {
  if (!o.etcdCAFile && !o.etcdCertFile) return {};
  if (!o.etcdCAFile) throw new Error('--etcd-cafile is needed to reach etcd over TLS');
  return {
    credentials: {
      rootCertificate: readFileSync(o.etcdCAFile),
      ...(o.etcdCertFile ? { certChain: readFileSync(o.etcdCertFile), privateKey: readFileSync(o.etcdKeyFile!) } : {}),
    },
  };
}

/**
 * kube's request verb, as authorization and audit see it: the resource
 * verb, or the HTTP method in lower case for other paths.
 */
function kubeVerb(method: string, info: RequestInfo | undefined, query: URLSearchParams): string {
  if (!info?.resource) return method.toLowerCase();
  // Streams into a pod are creates whatever the method: a WebSocket's GET needs create on pods/exec, as in kube 1.31+.
  if (info.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(info.subresource ?? '')) return 'create';
  return resourceVerb(method, { name: info.name, watch: info.legacyWatch || isWatch(query) });
}

function verbOf(method: string, ctx: RequestContext): string {
  if (method === 'GET') return isWatch(ctx.query) ? 'WATCH' : ctx.info.name ? 'GET' : 'LIST';
  return method;
}

/** `metadata.name=x` in a list or watch's field selector, which kube authorizes as a request for x. */
function nameFromFieldSelector(query: URLSearchParams): string | undefined {
  const selector = query.get('fieldSelector');
  if (!selector) return undefined;
  const m = /^metadata\.name==?([^,]+)$/.exec(selector.trim());
  return m?.[1];
}


function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

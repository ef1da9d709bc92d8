import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** The .proto beside this file's source (dist/ holds only JavaScript). */
const PROTO = fileURLToPath(new URL('../../../node-agent/cri/runtime-v1.proto', import.meta.url));

/** How long a CRI call may take before it fails with DEADLINE_EXCEEDED (the kubelet's runtime request timeout is 2 min). */
const DEFAULT_TIMEOUT_MS = 2 * 60_000;

type Unary = (request: object, metadata: Metadata, options: { deadline: Date }, callback: (err: ServiceError | null, response: any) => void) => void;

/**
 * A client of a container runtime's CRI v1 socket (CRI-O's, containerd's):
 * each call answers the runtime's response object, fields in camelCase,
 * int64 fields as decimal strings (nanosecond times do not fit a number),
 * enums by name.
 */
export class RuntimeClient {
  private readonly runtime: Client & Record<string, Unary>;
  private readonly images: Client & Record<string, Unary>;
  /** Told of every call with how long it took and whether it failed: the agent's runtime operation metrics. */
  onCall?: (method: string, seconds: number, failed: boolean) => void;

  /** `endpoint`: the kubelet's --container-runtime-endpoint, e.g. unix:///run/containerd/containerd.sock. */
  constructor(readonly endpoint: string, private readonly timeoutMs = DEFAULT_TIMEOUT_MS) {
    if (!endpoint.startsWith('unix://')) throw new Error(`--container-runtime-endpoint ${endpoint}: only unix:// sockets are supported`);
    const definition = loadSync(PROTO, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = loadPackageDefinition(definition) as any;
    const creds = credentials.createInsecure();
    this.runtime = new pkg.runtime.v1.RuntimeService(endpoint, creds);
    this.images = new pkg.runtime.v1.ImageService(endpoint, creds);
  }

  runtimeCall<T = any>(method: string, request: object = {}, timeoutMs = this.timeoutMs): Promise<T> {
    return this.observed(method, call(this.runtime, method, request, timeoutMs));
  }

  imageCall<T = any>(method: string, request: object = {}, timeoutMs = this.timeoutMs): Promise<T> {
    return this.observed(method, call(this.images, method, request, timeoutMs));
  }

  private observed<T>(method: string, result: Promise<T>): Promise<T> {
    const onCall = this.onCall;
    if (!onCall) return result;
    const started = performance.now();
    return result.then(
      (value) => (onCall(method, (performance.now() - started) / 1000, false), value),
      (err) => {
        onCall(method, (performance.now() - started) / 1000, true);
        throw err;
      },
    );
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }
}

function call<T>(client: Record<string, Unary>, method: string, request: object, timeoutMs: number): Promise<T> {
  const fn = client[method];
  if (typeof fn !== 'function') throw new Error(`the CRI has no call ${method} in runtime-v1.proto`);
  return new Promise((resolve, reject) => {
    fn.call(client, request, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, response) => {
      if (err) reject(Object.assign(new Error(`CRI ${method}: ${err.details || err.message}`), { code: err.code, details: err.details }));
      else resolve(response as T);
    });
  });
}

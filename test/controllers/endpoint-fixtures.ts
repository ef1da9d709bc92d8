import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';
import { NAMESPACES, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { defaultServiceAccount } from '../helpers/apiserver.js';

type Json = Record<string, any>;

export interface PodOptions {
  labels?: Record<string, string>;
  ports?: Json[];
  hostname?: string;
  subdomain?: string;
  node?: string;
}

/**
 * What the endpoint controllers' tests make: namespaces, Services selecting
 * app=web, and pods bound to a node no kubelet runs, whose status the test
 * reports as the kubelet would. `client` is read when called, so a test file
 * may make its client in test.before.
 */
export function endpointFixtures(client: () => RestClient, defaultNode: string) {
  const pod = (ns: string, name: string, opts: PodOptions = {}): Promise<AnyObject> => client().create(PODS, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels: opts.labels ?? { app: 'web' } },
    spec: {
      nodeName: opts.node ?? defaultNode,
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
      containers: [{ name: 'c', image: 'nginx', ...(opts.ports ? { ports: opts.ports } : {}) }],
    },
  });

  /**
   * The pod runs with this IP, Ready or not. The transition time moves only
   * when readiness does, and then by at least a second (timestamps have whole
   * seconds), so every flip is a new trigger time.
   */
  const report = async (ns: string, name: string, ip: string, ready: boolean, phase = 'Running'): Promise<AnyObject> => {
    const current = await client().get(PODS, name, { namespace: ns });
    const status = ready ? 'True' : 'False';
    const prior = (current.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
    const lastTransitionTime = prior?.status === status ? prior.lastTransitionTime : rfc3339(Math.max(Date.now(), prior ? Date.parse(prior.lastTransitionTime) + 1000 : 0));
    return client().updateStatus(PODS, {
      ...current,
      status: { ...current.status, phase, podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status, lastTransitionTime }] },
    });
  };

  return {
    async namespace(name: string): Promise<string> {
      await client().create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      await defaultServiceAccount(client(), name);
      return name;
    },
    pod,
    report,
    async runningPod(ns: string, name: string, ip: string, ready: boolean, opts: PodOptions = {}): Promise<AnyObject> {
      await pod(ns, name, opts);
      return report(ns, name, ip, ready);
    },
    service(ns: string, name: string, spec: Json, labels?: Record<string, string>): Promise<AnyObject> {
      return client().create(SERVICES, {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
      });
    },
  };
}

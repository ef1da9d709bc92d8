import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API server's Prometheus metrics, named as kube-apiserver names them. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, resource and HTTP response code.', labelNames: ['verb', 'group', 'resource', 'subresource', 'code'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group and resource.', labelNames: ['verb', 'group', 'resource'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [this.registry] });
  readonly watchers: Gauge;

  constructor(watcherCount: () => Record<string, number>) {
    collectDefaultMetrics({ register: this.registry });
    this.watchers = new Gauge({
      name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resource.', labelNames: ['resource'], registers: [this.registry],
      collect() {
        for (const [resource, n] of Object.entries(watcherCount())) this.set({ resource }, n);
      },
    });
  }
}

import { Counter, Histogram, exponentialBuckets, type Registry } from 'prom-client';

/** The query types CoreDNS counts by name; any other is counted as "other", so a client cannot grow the label set at will. */
const COUNTED_TYPES = new Set(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'ANY', 'HTTPS', 'SVCB', 'DS', 'DNSKEY', 'NSEC', 'NSEC3', 'IXFR', 'AXFR', 'OPT', 'CAA']);

/** What one query was, for its metrics. */
export interface QueryOutcome {
  /** The listener as CoreDNS names it: dns://ADDRESS:PORT. */
  server: string;
  /** The zone that answered: the cluster domain with its trailing dot, or "." for what went upstream or was refused. */
  zone: string;
  transport: 'udp' | 'tcp';
  /** 1 for IPv4 clients, 2 for IPv6 ones: CoreDNS's address family numbers. */
  family: 1 | 2;
  type: string;
  rcode: string;
  seconds: number;
}

/** CoreDNS's request metrics, by its names and labels, so its dashboards and alerts read them as they are. */
export class DnsMetrics {
  private readonly requests: Counter<'server' | 'zone' | 'view' | 'proto' | 'family' | 'type'>;
  private readonly responses: Counter<'server' | 'zone' | 'view' | 'rcode' | 'plugin'>;
  private readonly duration: Histogram<'server' | 'zone' | 'view' | 'type'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'coredns_dns_requests_total', registers, labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'],
      help: 'Counter of DNS requests made per zone, protocol and family.',
    });
    this.responses = new Counter({
      name: 'coredns_dns_responses_total', registers, labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'],
      help: 'Counter of response status codes.',
    });
    this.duration = new Histogram({
      name: 'coredns_dns_request_duration_seconds', registers, labelNames: ['server', 'zone', 'view', 'type'],
      help: 'Histogram of the time (in seconds) each request took.',
      buckets: exponentialBuckets(0.00025, 2, 16),
    });
  }

  observe(q: QueryOutcome): void {
    const type = COUNTED_TYPES.has(q.type) ? q.type : 'other';
    const base = { server: q.server, zone: q.zone, view: '' };
    this.requests.inc({ ...base, proto: q.transport, family: String(q.family), type });
    this.responses.inc({ ...base, rcode: q.rcode, plugin: q.zone === '.' ? (q.rcode === 'REFUSED' ? '' : 'forward') : 'kubernetes' });
    this.duration.observe({ ...base, type }, q.seconds);
  }
}

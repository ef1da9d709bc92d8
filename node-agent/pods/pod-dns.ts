import { readFileSync } from 'node:fs';
import type { EventRecorder } from '../../client/event-recorder.js';
import { log } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';

/** The node's resolver settings for its pods: --cluster-dns, --cluster-domain and --resolv-conf. */
export interface ClusterDNSSettings {
  /** The cluster DNS servers ClusterFirst pods use; none means ClusterFirst falls back to Default. */
  clusterDNS: string[];
  /** The cluster's domain (cluster.local); empty leaves the cluster's search domains out. */
  clusterDomain: string;
  /** The host's resolver file the Default policy copies; empty for none (pods then resolve on the loopback). */
  resolvConf: string;
}

/** The CRI's DNSConfig: what the runtime writes into the sandbox's /etc/resolv.conf. */
export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

/** Something worth a Warning event, about the pod or about the node (its configuration). */
export interface DNSWarning {
  about: 'pod' | 'node';
  reason: string;
  message: string;
}

export interface PodDNSContext {
  clusterDNS: string[];
  clusterDomain: string;
  /** The host's resolv.conf text, or undefined when --resolv-conf is empty; read only for the policies that use it. */
  hostResolvConf(): string | undefined;
  /** The node's IP: which loopback a pod without any resolver file gets. */
  nodeIP: string;
}

/** What a resolv.conf may hold, as the API's validation and glibc bound it: 3 servers; 32 search domains in 2048 characters (ExpandedDNSConfig, GA). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;
/** A search domain longer than a DNS name makes some resolvers (glibc 2.28) abort: such domains are dropped. */
const MAX_DOMAIN_LENGTH = 253;
const CLUSTER_OPTIONS = ['ndots:5'];

/**
 * A resolv.conf as the kubelet reads the host's: `nameserver` lines add up,
 * the last `search` line wins (its domains without a trailing dot), the last
 * `options` line wins. `domain` is read as glibc reads it, a search list of
 * one that the last of `search` and `domain` decides; the kubelet skips it,
 * which loses the host's domain on hosts that set only that.
 */
export function parseResolvConf(text: string): DNSConfig {
  const out: DNSConfig = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const [keyword, ...values] = trimmed.split(/\s+/);
    if (keyword === 'nameserver' && values.length) out.servers.push(values[0]);
    else if (keyword === 'search' || keyword === 'domain') out.searches = (keyword === 'domain' ? values.slice(0, 1) : values).map((d) => d.replace(/\.$/, ''));
    else if (keyword === 'options') out.options = values;
  }
  return out;
}

/** Which resolver a pod's dnsPolicy gives it: ClusterFirst on the host network is Default; ClusterFirstWithHostNet is ClusterFirst wherever the pod is. */
function policyOf(pod: AnyObject): 'cluster' | 'host' | 'none' {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return 'none';
  if (policy === 'Default' || (policy === 'ClusterFirst' && pod.spec?.hostNetwork)) return 'host';
  // The API server admits nothing else; an unknown policy is treated as ClusterFirst, as the kubelet treats it.
  return 'cluster';
}

/**
 * The kubelet's DNS configurer: the pod's resolver from its dnsPolicy, its
 * dnsConfig merged on top, cut to what a resolver accepts; with the
 * warnings it gave (MissingClusterDNS, DNSConfigForming).
 */
export function podDNSConfig(pod: AnyObject, ctx: PodDNSContext): { dnsConfig: DNSConfig; warnings: DNSWarning[] } {
  const warnings: DNSWarning[] = [];
  let policy = policyOf(pod);
  if (policy === 'cluster' && !ctx.clusterDNS.length) {
    const message = 'the node agent has no --cluster-dns, so ClusterFirst cannot be given; the pod gets the Default policy instead';
    warnings.push({ about: 'node', reason: 'MissingClusterDNS', message }, { about: 'pod', reason: 'MissingClusterDNS', message: `pod "${pod.metadata.namespace}/${pod.metadata.name}": ${message}` });
    policy = 'host';
  }
  let dns: DNSConfig = { servers: [], searches: [], options: [] };
  if (policy === 'cluster') {
    // The cluster DNS alone: it forwards what it does not know to the host's servers itself.
    const host = hostConfig(ctx);
    const d = ctx.clusterDomain;
    dns = { servers: [...ctx.clusterDNS], searches: d ? unique([`${pod.metadata.namespace}.svc.${d}`, `svc.${d}`, d, ...host.searches]) : host.searches, options: [...CLUSTER_OPTIONS] };
  } else if (policy === 'host') {
    const text = ctx.hostResolvConf();
    // No resolver file: the resolver's own default, a server on this machine, and no search domains.
    dns = text !== undefined ? parseResolvConf(text) : { servers: [ctx.nodeIP.includes(':') ? '::1' : '127.0.0.1'], searches: ['.'], options: [] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    dns = {
      servers: unique([...dns.servers, ...(extra.nameservers ?? [])]),
      searches: unique([...dns.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(dns.options, extra.options ?? []),
    };
  }
  return { dnsConfig: fitLimits(dns, warnings), warnings };
}

const hostConfig = (ctx: PodDNSContext): DNSConfig => {
  const text = ctx.hostResolvConf();
  return text === undefined ? { servers: [], searches: [], options: [] } : parseResolvConf(text);
};

const unique = (items: string[]): string[] => [...new Set(items)];

/** Options by name, the pod's value replacing one already there in its place; `name` alone when it has no value. */
function mergeOptions(current: string[], extra: { name: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const option of current) {
    const i = option.indexOf(':');
    byName.set(i < 0 ? option : option.slice(0, i), i < 0 ? '' : option.slice(i + 1));
  }
  for (const option of extra) byName.set(option.name, option.value ?? '');
  return [...byName].map(([name, value]) => (value ? `${name}:${value}` : name));
}

/** Cuts servers and search domains to what resolvers take, as the kubelet does: the first ones are kept, and the cut is reported. */
function fitLimits(dns: DNSConfig, warnings: DNSWarning[]): DNSConfig {
  let { servers, searches } = dns;
  if (servers.length > MAX_NAMESERVERS) {
    servers = servers.slice(0, MAX_NAMESERVERS);
    warnings.push({ about: 'pod', reason: 'DNSConfigForming', message: `more than ${MAX_NAMESERVERS} nameservers: only ${servers.join(' ')} are used` });
  }
  let cut = searches.length > MAX_SEARCHES;
  searches = searches.slice(0, MAX_SEARCHES);
  const fitting = searches.filter((d) => d.length <= MAX_DOMAIN_LENGTH);
  cut ||= fitting.length < searches.length;
  searches = fitting;
  // Whole domains come off the end until the line fits.
  while (searches.join(' ').length > MAX_SEARCH_CHARS) {
    searches = searches.slice(0, -1);
    cut = true;
  }
  if (cut) warnings.push({ about: 'pod', reason: 'DNSConfigForming', message: `the search line is over its limits (${MAX_SEARCHES} domains of at most ${MAX_DOMAIN_LENGTH} characters, ${MAX_SEARCH_CHARS} characters in all): only ${searches.join(' ')} is used` });
  return { servers, searches, options: dns.options };
}

/**
 * Gives each pod its resolver at the time its sandbox or a container is
 * made: reads the host's resolv.conf then (so a change to it reaches new
 * pods), and logs and records as events the warnings it gave.
 */
export class PodDNSConfigurer {
  constructor(private readonly settings: ClusterDNSSettings & { nodeName: string; nodeIP: string }, private readonly recorder: EventRecorder) {}

  forPod(pod: AnyObject): DNSConfig {
    const { resolvConf } = this.settings;
    const { dnsConfig, warnings } = podDNSConfig(pod, {
      ...this.settings,
      hostResolvConf: () => {
        if (!resolvConf) return undefined;
        try {
          return readFileSync(resolvConf, 'utf8');
        } catch (err) {
          throw new Error(`--resolv-conf ${resolvConf}: ${(err as Error).message}`);
        }
      },
    });
    // The kubelet's node reference: its name stands for its uid, which kubectl describe node looks events up by.
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.settings.nodeName, uid: this.settings.nodeName } };
    for (const w of warnings) {
      // A node warning repeats a pod's: one log line for the pair.
      if (w.about === 'pod') log.warn(w.message, { component: 'node-agent', reason: w.reason, pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
      this.recorder.event(w.about === 'node' ? node : pod, 'Warning', w.reason, w.message);
    }
    return dnsConfig;
  }
}

import type { NatsUser } from './server-config.js';

/**
 * The NATS subjects between the API server and the nodes' agents, which
 * carry logs, exec, attach and port-forward instead of a connection to a
 * port on the node:
 *
 *   skiff.node.<node>.<kind>               a new stream's request (logs, exec, attach, portforward), from the API server
 *   skiff.node.<node>.session.<session>    the API server's frames of one stream (stdin, resize, close)
 *   skiff.stream.<node>.<session>          the agent's frames of one stream (accept, stdout, stderr, status, end)
 *
 * <node> is the node name with its dots as underscores (node names are DNS
 * subdomains, so that is reversible and always a NATS token). A node's NATS
 * user may only subscribe under skiff.node.<node> and publish under
 * skiff.stream.<node>: it never sees another node's streams, nor speaks in
 * them.
 */
export function nodeToken(nodeName: string): string {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(nodeName)) throw new Error(`node name ${JSON.stringify(nodeName)} is not a DNS subdomain`);
  return nodeName.replace(/\./g, '_');
}

export type StreamKind = 'logs' | 'exec' | 'attach' | 'portforward';

export const STREAM_KINDS: StreamKind[] = ['logs', 'exec', 'attach', 'portforward'];

export const streamRequestSubject = (nodeName: string, kind: StreamKind) => `skiff.node.${nodeToken(nodeName)}.${kind}`;
export const sessionInputSubject = (nodeName: string, session: string) => `skiff.node.${nodeToken(nodeName)}.session.${session}`;
export const sessionOutputSubject = (nodeName: string, session: string) => `skiff.stream.${nodeToken(nodeName)}.${session}`;

/** The NATS user name of a node's agent. */
export const nodeNatsUserName = (nodeName: string) => `node-${nodeToken(nodeName).replace(/_/g, '-')}`.slice(0, 64);

/** A node agent's account: its own subjects and nothing else. */
export function nodeNatsUser(nodeName: string, password: string): NatsUser {
  const token = nodeToken(nodeName);
  return { user: nodeNatsUserName(nodeName), password, subscribe: [`skiff.node.${token}.>`], publish: [`skiff.stream.${token}.>`] };
}

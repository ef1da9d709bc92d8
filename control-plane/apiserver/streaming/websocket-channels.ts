import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { StatusError } from '../../../api/status.js';

/** What the 'upgrade' event gave for a request that asks to switch protocols: the raw socket and the bytes read past the headers. */
export interface UpgradeRequest {
  socket: Duplex;
  head: Buffer;
}

const upgrades = new WeakMap<IncomingMessage, UpgradeRequest>();

export const markUpgrade = (req: IncomingMessage, upgrade: UpgradeRequest) => upgrades.set(req, upgrade);
export const upgradeOf = (req: IncomingMessage) => upgrades.get(req);

/** The channel protocols of exec and attach, newest first: v5 adds closing stdin alone (kubectl cp). */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** One WebSocket server (no listener of its own) per set of subprotocols a handler speaks. */
const servers = new Map<string, WebSocketServer>();
function serverFor(supported: string[]): WebSocketServer {
  const key = supported.join(',');
  let server = servers.get(key);
  if (!server) {
    server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => supported.find((p) => offered.has(p)) ?? false });
    servers.set(key, server);
  }
  return server;
}

/** The protocol this server would speak with the client, or kube's refusal when it offers none of them. */
export function negotiateChannelProtocol(req: IncomingMessage, supported: string[]): string {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const protocol = supported.find((p) => offered.includes(p));
  if (!protocol) throw new StatusError(400, 'BadRequest', `unable to upgrade: none of the offered subprotocols [${offered.join(', ')}] is supported; this server speaks ${supported.join(', ')}`);
  return protocol;
}

/** Completes the WebSocket handshake of a marked request, in the first of `supported` the client offered. */
export function acceptWebSocket(req: IncomingMessage, supported: string[]): Promise<WebSocket> {
  const upgrade = upgradeOf(req);
  if (!upgrade) throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  return new Promise((resolve) => serverFor(supported).handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => resolve(ws)));
}

import { createServer, type Server } from 'node:http';
import { log } from '../client/log.js';

/** What one health check node port reports: the Service and how many of its endpoints run on this node. */
export interface ServiceHealth {
  namespace: string;
  name: string;
  localEndpoints: number;
}

interface Listener {
  server: Server;
  health: ServiceHealth;
}

/**
 * The health check node ports of `externalTrafficPolicy: Local` Services,
 * as kube-proxy serves them: any path answers 200 with the count of the
 * Service's endpoints on this node, or 503 when there is none, so a load
 * balancer sends traffic only to nodes that can keep the client's address.
 */
export class ServiceHealthServers {
  private readonly listeners = new Map<number, Listener>();

  constructor(private readonly bindAddress = '0.0.0.0') {}

  /** Makes the listeners match `wanted` (health check port → what it reports): new ports open, gone ports close. */
  async sync(wanted: Map<number, ServiceHealth>): Promise<void> {
    for (const [port, listener] of this.listeners) {
      if (wanted.has(port)) continue;
      this.listeners.delete(port);
      listener.server.close();
    }
    for (const [port, health] of wanted) {
      const listener = this.listeners.get(port);
      if (listener) {
        listener.health = health;
        continue;
      }
      await this.listen(port, health);
    }
  }

  async close(): Promise<void> {
    const servers = [...this.listeners.values()].map((l) => l.server);
    this.listeners.clear();
    await Promise.all(servers.map((s) => new Promise((r) => {
      s.close(r);
      s.closeAllConnections();
    })));
  }

  private async listen(port: number, health: ServiceHealth): Promise<void> {
    const entry: Listener = { server: createServer(), health };
    entry.server.on('request', (req, res) => {
      const { namespace, name, localEndpoints } = entry.health;
      const body = JSON.stringify({ service: { namespace, name }, localEndpoints, serviceProxyHealthy: true });
      res.writeHead(localEndpoints > 0 ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(body);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        entry.server.once('error', reject);
        entry.server.listen(port, this.bindAddress, () => resolve());
      });
      this.listeners.set(port, entry);
    } catch (err) {
      // kube-proxy logs and carries on: the port may be taken, and the rules must still be written.
      log.error('cannot serve a health check node port', { port, service: `${health.namespace}/${health.name}`, error: (err as Error).message });
    }
  }
}

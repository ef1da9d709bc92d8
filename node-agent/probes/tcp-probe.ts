import { connect } from 'node:net';
import type { ProbeOutcome } from './probe-outcome.js';

/** host:port as Go's net.JoinHostPort writes it: an IPv6 address in brackets. */
export const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The words Go's dialer uses for what failed, which the kubelet puts in its events. */
const DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ECONNRESET: 'read: connection reset by peer',
  ENOTFOUND: 'no such host',
  ETIMEDOUT: 'i/o timeout',
};

/** A failed connection to host:port, as Go's dialer reports it: `dial tcp 10.1.2.3:80: connect: connection refused`. */
export function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  return `dial tcp ${joinHostPort(host, port)}: ${DIAL_ERRORS[err.code ?? ''] ?? err.message}`;
}

/** A tcpSocket probe: success when a connection opens within the timeout (it is closed at once), failure with why otherwise. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${joinHostPort(host, port)}: i/o timeout` }), timeoutMs);
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (err) => finish({ result: 'failure', output: dialError(err, host, port) }));
  });
}

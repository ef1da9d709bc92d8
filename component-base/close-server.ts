import type { Server, Socket } from 'node:net';

/**
 * Tracks every socket a server accepts, from the TCP accept on (a TLS
 * connection still in its handshake is not yet known to the HTTP layer, so
 * `closeAllConnections` misses it), and returns a close that stops listening
 * and destroys them all. Without this, a client that reconnects during
 * shutdown can hold `server.close` open forever.
 */
export function closableServer(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

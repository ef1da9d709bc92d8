import type { Socket } from 'node:net';

/**
 * Reads DNS messages off a TCP stream, where each one comes after its length
 * in two bytes (RFC 1035 4.2.2, RFC 7766), calling `onFrame` with each
 * message as it completes.
 */
export function readFrames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const frame = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      onFrame(frame);
    }
  });
}

/** A message with its two-byte length before it, for a TCP stream. */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

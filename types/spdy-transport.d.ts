/** The part of spdy-transport (SPDY/3.1 framing over a socket) that the node streams use; the package ships no types. */
declare module 'spdy-transport' {
  import type { Duplex } from 'node:stream';

  export interface SpdyStream extends Duplex {
    id: number;
    headers: Record<string, string>;
    respond(status: number, headers: Record<string, string>): void;
  }

  export interface SpdyConnection {
    start(version: number): void;
    request(options: { method: string; path: string; headers: Record<string, string>; host?: string }, callback: (err: Error | null, stream: SpdyStream) => void): SpdyStream;
    on(event: 'stream', listener: (stream: SpdyStream) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'close' | 'frame', listener: (...args: unknown[]) => void): this;
    end(callback?: () => void): void;
    destroyStreams(err?: Error): void;
  }

  const spdy: {
    connection: {
      create(socket: Duplex, options: { protocol: 'spdy' | 'http2'; isServer: boolean; maxChunk?: number; windowSize?: number }): SpdyConnection;
    };
  };
  export default spdy;
}

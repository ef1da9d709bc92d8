/**
 * One frame of a node stream over NATS: a channel byte, then the data, as
 * Kubernetes' channel protocol frames exec and attach (0 stdin, 1 stdout,
 * 2 stderr, 3 the final Status, 4 resize). Three more carry the stream's
 * life: EOF (the client closed stdin), ACCEPT (the agent took the request)
 * and END (no more frames).
 */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, eof: 253, accept: 254, end: 255 } as const;

export type ChannelNumber = (typeof Channel)[keyof typeof Channel];

export function encodeFrame(channel: number, data: Uint8Array | string = new Uint8Array()): Uint8Array {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const frame = new Uint8Array(body.length + 1);
  frame[0] = channel;
  frame.set(body, 1);
  return frame;
}

export function decodeFrame(frame: Uint8Array): { channel: number; data: Buffer } {
  if (!frame.length) throw new Error('an empty stream frame');
  return { channel: frame[0], data: Buffer.from(frame.buffer, frame.byteOffset + 1, frame.length - 1) };
}

/** The request that opens a stream: which container of which pod, and the kind's own parameters. */
export interface StreamRequest {
  session: string;
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  logs?: LogOptions;
  exec?: { command: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean };
  attach?: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean };
  portforward?: { port: number };
}

/** PodLogOptions as the agent applies them. */
export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Only lines at or after this time (ms since the epoch): sinceSeconds and sinceTime. */
  sinceMs?: number;
  tailLines?: number;
  limitBytes?: number;
}

/** The final outcome the agent sends on the status channel: kube's Status shape (Success, or Failure with a reason). */
export interface StreamStatus {
  status: 'Success' | 'Failure';
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: { reason: string; message: string }[] };
}

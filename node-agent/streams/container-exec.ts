import type { RuntimeClient } from '../cri/runtime-client.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../pods/cri-config.js';
import { Channel, type StreamStatus } from '../../control-plane/nats/stream-frames.js';
import { EXEC_PROTOCOL, openRuntimeStreams } from './runtime-streams.js';
import { StreamError, type StreamContext } from './stream-server.js';

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/**
 * `kubectl exec` and `kubectl attach`: CRI Exec (or Attach) on the pod's
 * running container, whose streams on the runtime's streaming server are
 * joined to the API server's: stdin (and its end), the terminal's size,
 * stdout, stderr, and last the runtime's Status (a non-zero exit is kube's
 * NonZeroExitCode failure).
 */
export function containerExec(runtime: RuntimeClient, kind: 'exec' | 'attach') {
  return async (ctx: StreamContext): Promise<StreamStatus | undefined> => {
    const { request } = ctx;
    const io = kind === 'exec' ? request.exec! : request.attach!;
    const containerId = await runningContainer(runtime, request.uid, request.container);
    const { url } = kind === 'exec'
      ? await runtime.runtimeCall('Exec', { containerId, cmd: request.exec!.command, tty: io.tty, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr && !io.tty })
      : await runtime.runtimeCall('Attach', { containerId, tty: io.tty, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr && !io.tty });
    // The error stream first, where the runtime writes the command's final Status; with a terminal, stderr is part of stdout.
    const types: StreamType[] = ['error'];
    if (io.stdin) types.push('stdin');
    if (io.stdout) types.push('stdout');
    if (io.stderr && !io.tty) types.push('stderr');
    if (io.tty) types.push('resize');
    const { streams: opened, close } = await openRuntimeStreams(url, EXEC_PROTOCOL, types.map((key) => ({ key, headers: { streamtype: key } })));
    const streams: Partial<typeof opened> = opened;
    ctx.accept();
    try {
      streams.stdout?.on('data', (d: Buffer) => ctx.send(Channel.stdout, d));
      streams.stderr?.on('data', (d: Buffer) => ctx.send(Channel.stderr, d));
      const relayInput = (async () => {
        for await (const frame of ctx.input) {
          if (frame.channel === Channel.stdin) streams.stdin?.write(frame.data);
          else if (frame.channel === Channel.eof) streams.stdin?.end();
          else if (frame.channel === Channel.resize) streams.resize?.write(frame.data);
        }
      })();
      const status = await new Promise<string>((resolve) => {
        let text = '';
        streams.error!.on('data', (d: Buffer) => { text += d.toString('utf8'); });
        streams.error!.once('end', () => resolve(text));
        streams.error!.once('close', () => resolve(text));
        ctx.signal.addEventListener('abort', () => resolve(''), { once: true });
      });
      // What the command wrote last reaches the client before its status.
      await Promise.all([streams.stdout, streams.stderr].filter(Boolean).map((s) => new Promise((r) => (s!.readableEnded ? r(undefined) : (s!.once('end', r), s!.once('close', r), setTimeout(r, 500))))));
      void relayInput;
      if (!status.trim()) return undefined;
      const parsed = JSON.parse(status);
      return { status: parsed.status, code: parsed.code, reason: parsed.reason, message: parsed.message, details: parsed.details };
    } finally {
      close();
    }
  };
}

/** The id of the pod's container by that name, which must be running to exec into or attach to. */
async function runningContainer(runtime: RuntimeClient, podUid: string, name: string): Promise<string> {
  const { containers } = await runtime.runtimeCall('ListContainers', { filter: { labelSelector: { [LABEL_POD_UID]: podUid, [LABEL_CONTAINER_NAME]: name } } });
  const running = (containers ?? []).filter((c: { state: string }) => c.state === 'CONTAINER_RUNNING');
  if (!running.length) throw new StreamError(400, 'BadRequest', `container not found ("${name}")`);
  return running[0].id;
}

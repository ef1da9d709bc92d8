import { randomInt } from 'node:crypto';
import type { RuntimeClient } from '../cri/runtime-client.js';
import { LABEL_POD_UID } from '../pods/cri-config.js';
import { Channel } from '../../control-plane/nats/stream-frames.js';
import { openRuntimeStreams, PORT_FORWARD_PROTOCOL } from './runtime-streams.js';
import { StreamError, type StreamContext } from './stream-server.js';

/**
 * One connection of `kubectl port-forward`: CRI PortForward on the pod's
 * sandbox, whose data stream on the runtime's streaming server reaches the
 * port inside the pod's network namespace (so a server bound to the pod's
 * localhost is reached too, as the kubelet reaches it). Bytes from the
 * client come as stdin frames, and their end as EOF; the pod's bytes go back
 * as stdout; what the runtime says went wrong, as stderr.
 */
export function podPortForward(runtime: RuntimeClient) {
  return async (ctx: StreamContext): Promise<void> => {
    const { request } = ctx;
    const port = request.portforward!.port;
    const { items } = await runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_POD_UID]: request.uid } } });
    const sandbox = (items ?? []).find((s: { state: string }) => s.state === 'SANDBOX_READY');
    if (!sandbox) throw new StreamError(400, 'BadRequest', `pod ${request.pod} has no running sandbox on this node to forward port ${port} to`);
    const { url } = await runtime.runtimeCall('PortForward', { podSandboxId: sandbox.id, port: [port] });
    const requestId = String(randomInt(1, 2 ** 31));
    const { streams, close } = await openRuntimeStreams(url, PORT_FORWARD_PROTOCOL, [
      { key: 'error', headers: { streamtype: 'error', port: String(port), requestid: requestId } },
      { key: 'data', headers: { streamtype: 'data', port: String(port), requestid: requestId } },
    ]);
    ctx.accept();
    try {
      streams.data.on('data', (d: Buffer) => ctx.send(Channel.stdout, d));
      streams.error.on('data', (d: Buffer) => ctx.send(Channel.stderr, d));
      const input = (async () => {
        for await (const frame of ctx.input) {
          if (frame.channel === Channel.stdin) streams.data.write(frame.data);
          else if (frame.channel === Channel.eof) streams.data.end();
        }
      })();
      await new Promise<void>((resolve) => {
        streams.data.once('end', () => resolve());
        streams.data.once('close', () => resolve());
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      void input;
    } finally {
      close();
    }
  };
}

import type { RuntimeClient } from '../cri/runtime-client.js';
import type { ProbeOutcome } from './probe-outcome.js';

/** The most of a command's output the kubelet keeps. */
const MAX_OUTPUT = 10 * 1024;
/** What the CRI call may take beyond the command's timeout: the runtime's time to clean up (the kubelet's runtime request timeout). */
const RUNTIME_GRACE_MS = 2 * 60_000;
/** gRPC's DEADLINE_EXCEEDED: the runtime gave up on the command when its timeout was up. */
const DEADLINE_EXCEEDED = 4;

/**
 * An exec probe: the command run in the container through CRI ExecSync
 * within the timeout; exit 0 is success, another exit code a failure with
 * the output (stdout then stderr), a timeout a failure saying so. Throws
 * when the command could not run at all (no such executable, no container).
 */
export async function execProbe(runtime: RuntimeClient, containerId: string, command: string[], timeoutSeconds: number): Promise<ProbeOutcome> {
  try {
    const out = await runtime.runtimeCall('ExecSync', { containerId, cmd: command, timeout: timeoutSeconds }, timeoutSeconds * 1000 + RUNTIME_GRACE_MS);
    const output = Buffer.concat([Buffer.from(out.stdout ?? ''), Buffer.from(out.stderr ?? '')]).subarray(0, MAX_OUTPUT).toString('utf8');
    return { result: out.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    if ((err as { code?: number }).code === DEADLINE_EXCEEDED) return { result: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` };
    throw err;
  }
}

import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';

/** A container as the runtime reports it (ContainerStatus), newest attempt. */
export interface RuntimeContainer {
  name: string;
  id: string;
  attempt: number;
  state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
  startedAt?: string;
  finishedAt?: string;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
}

/** Nanoseconds since the epoch (CRI's int64 as a string) as an RFC 3339 time; none for 0. */
const fromNanos = (ns: string | undefined) => (ns && ns !== '0' ? rfc3339(Number(BigInt(ns) / 1_000_000n)) : undefined);

/** One container's status as the kubelet writes it. */
export function containerStatus(spec: AnyObject, c: RuntimeContainer | undefined, waitingReason: string, previous?: RuntimeContainer): Record<string, any> {
  const state = !c || c.state === 'CONTAINER_CREATED' || c.state === 'CONTAINER_UNKNOWN'
    ? { waiting: { reason: waitingReason } }
    : c.state === 'CONTAINER_RUNNING'
      ? { running: { startedAt: fromNanos(c.startedAt) } }
      : { terminated: { exitCode: c.exitCode, reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'), ...(c.message ? { message: c.message } : {}), startedAt: fromNanos(c.startedAt), finishedAt: fromNanos(c.finishedAt), containerID: `containerd://${c.id}` } };
  const last = previous && previous.state === 'CONTAINER_EXITED'
    ? { terminated: { exitCode: previous.exitCode, reason: previous.reason || (previous.exitCode === 0 ? 'Completed' : 'Error'), startedAt: fromNanos(previous.startedAt), finishedAt: fromNanos(previous.finishedAt), containerID: `containerd://${previous.id}` } }
    : {};
  return {
    name: spec.name, state, lastState: last, ready: c?.state === 'CONTAINER_RUNNING', restartCount: c?.attempt ?? 0,
    image: spec.image, imageID: c?.imageRef ?? '', ...(c ? { containerID: `containerd://${c.id}`, started: c.state === 'CONTAINER_RUNNING' } : { started: false }),
  };
}

/**
 * The pod's phase as the kubelet derives it: Pending while a container has
 * never started; Running while one runs, or when all have stopped but the
 * restart policy brings them back; Succeeded when all exited 0 for good;
 * Failed when all stopped for good and one did not exit 0. A container
 * waiting to restart (CrashLoopBackOff) counts by the run it last had.
 */
export function podPhase(pod: AnyObject, statuses: Record<string, any>[]): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    const ended = s.state.terminated ?? (s.state.waiting ? s.lastState?.terminated : undefined);
    if (s.state.running) running++;
    else if (ended) {
      stopped++;
      if (ended.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  if (policy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return policy === 'OnFailure' ? 'Running' : 'Failed';
}

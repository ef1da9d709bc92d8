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
 * The pod's phase as the kubelet derives it from its containers and restart
 * policy: Pending until every container has started, Running while any runs
 * or will restart, Succeeded when all exited 0 and none restarts, Failed
 * when all stopped, some not 0, and none restarts.
 */
export function podPhase(pod: AnyObject, statuses: Record<string, any>[]): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const running = statuses.filter((s) => s.state.running).length;
  const waiting = statuses.filter((s) => s.state.waiting).length;
  const terminated = statuses.filter((s) => s.state.terminated);
  if (waiting > 0 && running === 0 && terminated.length === 0) return 'Pending';
  if (running > 0 || waiting > 0) return 'Running';
  if (policy === 'Always') return 'Running';
  const failed = terminated.some((s) => s.state.terminated.exitCode !== 0);
  if (policy === 'OnFailure' && failed) return 'Running';
  return failed ? 'Failed' : 'Succeeded';
}

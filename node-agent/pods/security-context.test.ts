import test from 'ava';
import type { RuntimeClient } from '../cri/runtime-client.js';
import { containerSecurityContext, runAsNonRootViolation, sandboxSecurityContext } from './security-context.js';

const pod = (spec: Record<string, any>) => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u-1' }, spec });

test('the container\'s settings win over the pod\'s; the pod\'s groups and namespaces apply to every container', (t) => {
  const p = pod({
    securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] },
    containers: [{ name: 'c', securityContext: { runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } }],
  });
  t.deepEqual(containerSecurityContext(p, p.spec.containers[0]), {
    capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] },
    privileged: false,
    namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
    runAsUser: { value: 1001 },
    runAsGroup: { value: 3000 },
    readonlyRootfs: true,
    supplementalGroups: [2000, 4000],
    noNewPrivs: true,
  });
});

test('nothing set: the image\'s user, privilege escalation allowed; a shared process namespace and the host\'s namespaces', (t) => {
  const plain = pod({ containers: [{ name: 'c' }] });
  t.like(containerSecurityContext(plain, plain.spec.containers[0]), { runAsUser: undefined, runAsGroup: undefined, noNewPrivs: false, readonlyRootfs: false, supplementalGroups: [] });
  const shared = pod({ shareProcessNamespace: true, hostNetwork: true, hostIPC: true, containers: [{ name: 'c' }] });
  t.deepEqual(containerSecurityContext(shared, shared.spec.containers[0]).namespaceOptions, { network: 'NODE', pid: 'POD', ipc: 'NODE' });
});

test('the sandbox runs as the pod\'s user with its groups, privileged when a container is', (t) => {
  const p = pod({ securityContext: { runAsUser: 5, fsGroup: 6 }, containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: true } }] });
  t.deepEqual(sandboxSecurityContext(p), {
    namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }, runAsUser: { value: 5 }, runAsGroup: undefined, supplementalGroups: [6], privileged: true,
  });
  t.false(sandboxSecurityContext(pod({ containers: [{ name: 'a' }] })).privileged);
});

test('runAsNonRoot: refused for uid 0, for an image running as root or naming no user, unverifiable for a user name', async (t) => {
  const image = (answer: object): RuntimeClient => ({ imageCall: async () => ({ image: answer }) }) as unknown as RuntimeClient;
  const check = (spec: Record<string, any>, img: object) => {
    const p = pod({ ...spec, containers: [{ name: 'c', image: 'i', ...spec.container }] });
    return runAsNonRootViolation(p, p.spec.containers[0], image(img));
  };
  const where = '(pod: "p_ns(u-1)", container: c)';
  t.is(await check({ securityContext: { runAsNonRoot: true, runAsUser: 0 } }, {}), `container's runAsUser breaks non-root policy ${where}`);
  t.is(await check({ securityContext: { runAsNonRoot: true, runAsUser: 10 } }, {}), undefined);
  t.is(await check({ container: { securityContext: { runAsNonRoot: true } } }, { uid: { value: '0' } }), `container has runAsNonRoot and image will run as root ${where}`);
  t.is(await check({ container: { securityContext: { runAsNonRoot: true } } }, { uid: { value: '65534' } }), undefined);
  t.is(await check({ container: { securityContext: { runAsNonRoot: true } } }, {}), `container has runAsNonRoot and image will run as root ${where}`);
  t.is(await check({ container: { securityContext: { runAsNonRoot: true } } }, { username: 'app' }), `container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${where}`);
  t.is(await check({}, { uid: { value: '0' } }), undefined, 'not asked for');
});

import 'reflect-metadata';
import { rfc3339 } from '../../api/time.js';
import { conditionOf, KUBELET_CLIENT_SIGNER, parseCertificateRequest } from '../../api/kinds/certificate-signing-request.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import { CSRS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';

const NODE_PREFIX = 'system:node:';
const ALLOWED_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

/** The node a kubelet client certificate request is for, or why it is not one. */
export function nodeClientRequest(csr: Record<string, any>): { node: string } | { problem: string } {
  const parsed = parseCertificateRequest(csr.spec?.request);
  if (typeof parsed === 'string') return { problem: parsed };
  const cn = parsed.subjectName.getField('CN');
  const o = parsed.subjectName.getField('O');
  if (cn.length !== 1 || !cn[0].startsWith(NODE_PREFIX) || cn[0].length === NODE_PREFIX.length) return { problem: 'subject common name must be system:node:<name>' };
  if (o.length !== 1 || o[0] !== 'system:nodes') return { problem: 'subject organization must be exactly system:nodes' };
  const usages: string[] = csr.spec?.usages ?? [];
  if (!usages.includes('client auth') || usages.some((u) => !ALLOWED_USAGES.has(u))) return { problem: 'usages must be client auth, with digital signature and key encipherment at most' };
  if (parsed.extensions.some((e) => e.type === '2.5.29.17')) return { problem: 'subject alternative names are not allowed' };
  return { node: cn[0].slice(NODE_PREFIX.length) };
}

/**
 * The CSR approver, as kube-controller-manager's csrapproving: approves
 * kubelet client certificate requests (signer kube-apiserver-client-kubelet)
 * made by a bootstrapping node (a user allowed to create
 * certificatesigningrequests/nodeclient) or by the node itself for its own
 * name (certificatesigningrequests/selfnodeclient), after asking the API
 * server's authorizer. Anything else is left for a human.
 */
export function csrApprovingReconciler(client: RestClient, informer: Informer) {
  return async function reconcile(name: string): Promise<ReconcileResult> {
    const csr = informer.store.get(name);
    if (!csr || csr.spec?.signerName !== KUBELET_CLIENT_SIGNER) return;
    if (conditionOf(csr, 'Approved') || conditionOf(csr, 'Denied')) return;
    const request = nodeClientRequest(csr);
    if ('problem' in request) return;
    const self = csr.spec.username === `${NODE_PREFIX}${request.node}`;
    const allowed = await mayCreate(client, csr.spec, self ? 'selfnodeclient' : 'nodeclient');
    if (!allowed) return;
    const now = rfc3339(Date.now());
    await client.update(CSRS, {
      ...csr,
      status: { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), {
        type: 'Approved', status: 'True', reason: 'AutoApproved',
        message: `Auto approving kubelet client certificate after SubjectAccessReview.`,
        lastUpdateTime: now, lastTransitionTime: now,
      }] },
    }, { subresource: 'approval' });
  };
}

/** Whether the CSR's requester may create the CSR subresource that stands for this kind of request. */
async function mayCreate(client: RestClient, spec: Record<string, any>, subresource: string): Promise<boolean> {
  const review = await client.request<{ status?: { allowed?: boolean } }>({
    method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: spec.username, uid: spec.uid, groups: spec.groups, extra: spec.extra, resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource } },
    },
  });
  return review.status?.allowed === true;
}

export const csrApprovingController: ControllerDescriptor = {
  name: 'certificatesigningrequest-approving-controller', aliases: ['csrapproving'], enabledByDefault: true,
  create(ctx) {
    const informer = ctx.informers.for(CSRS);
    const queue = new WorkQueue<string>();
    enqueueFrom(informer, queue, undefined, { onDelete: false });
    return [{ name: 'csrapproving', queue, reconcile: csrApprovingReconciler(ctx.client, informer), workers: workersFor(ctx, 'csrapproving', 1) }];
  },
};

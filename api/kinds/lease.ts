import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { int32, named, obj, str, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { forbidden, invalid, notSupported, type Cause } from '../validation/field-errors.js';
import { qualifiedName } from '../validation/names.js';

/** Strategies Kubernetes itself defines for coordinated leader election. */
const LEASE_STRATEGIES = ['OldestEmulationVersion'];

/** A metav1.MicroTime: RFC 3339 with microseconds, e.g. 2024-05-01T10:00:00.000000Z. */
const microTime = (description: string) => time(description);

function validateLease(lease: KObject): Cause[] {
  const spec: KObject = lease.spec ?? {};
  const causes: Cause[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    causes.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy !== undefined) {
    if (!String(spec.strategy).includes('/')) {
      if (!LEASE_STRATEGIES.includes(spec.strategy)) causes.push(notSupported('spec.strategy', spec.strategy, LEASE_STRATEGIES));
    } else {
      causes.push(...qualifiedName('spec.strategy', spec.strategy));
    }
  }
  if (spec.preferredHolder && !spec.strategy) {
    causes.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return causes;
}

export const lease: Kind = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
  namespaced: true,
  schema: named('io.k8s.api.coordination.v1.Lease', obj({
    ...typeMeta,
    spec: named('io.k8s.api.coordination.v1.LeaseSpec', obj({
      holderIdentity: str('Who holds the lease now.'),
      leaseDurationSeconds: int32('How long, in seconds, others wait after the last renewal before taking the lease over.'),
      acquireTime: microTime('When the current holder acquired the lease.'),
      renewTime: microTime('When the current holder last renewed the lease.'),
      leaseTransitions: int32('How many times the lease has changed hands.'),
      strategy: str('How a coordinated leader election picks the holder (OldestEmulationVersion or a prefixed custom name); requires the feature.'),
      preferredHolder: str('Candidate the election would like to hand the lease to; only with strategy.'),
    }, { description: 'Who holds a lease and for how long.' })),
  }, { description: 'A lease: a lightweight lock used for leader election and node heartbeats.', gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' } })),
  validate: validateLease,
  allowCreateOnUpdate: true,
  columns: [
    nameColumn,
    { name: 'Holder', type: 'string', priority: 0, description: 'Who holds the lease.', cell: (o) => o.spec?.holderIdentity ?? '' },
    ageColumn,
  ],
};

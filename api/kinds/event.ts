import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { humanDuration } from '../printers.js';
import { int32, named, obj, str, time } from '../schema.js';
import { invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Subdomain, qualifiedName } from '../validation/names.js';
import { firstPerField, isObject } from '../validation/pod-spec.js';
import { objectReference } from '../object-reference.js';
import { NAMESPACE_DEFAULT, NAMESPACE_SYSTEM } from '../well-known.js';

/** core/v1 ObjectReference, shared with the other kinds that point at objects. */

/** metav1.MicroTime: an RFC 3339 timestamp with microseconds. */
const microTime = (description: string) => time(description);

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/** A timestamp as `kubectl get events` ages it; `<unknown>` when absent. */
function ageOf(t: unknown, now: number): string {
  if (typeof t !== 'string' || !t) return '<unknown>';
  const at = Date.parse(t);
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

/** The LAST SEEN, FIRST SEEN and COUNT of an event, from old-style or series fields. */
export function eventTimes(e: KObject, now = Date.now()): { first: string; last: string; count: number } {
  const first = e.firstTimestamp ? ageOf(e.firstTimestamp, now) : ageOf(e.eventTime, now);
  let last = e.lastTimestamp ? ageOf(e.lastTimestamp, now) : first;
  let count: number = typeof e.count === 'number' ? e.count : 0;
  if (isObject(e.series)) {
    last = ageOf(e.series.lastObservedTime, now);
    count = typeof e.series.count === 'number' ? e.series.count : 0;
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

/** OBJECT of `kubectl get events`: `pod/web-1`, lowercased kind. */
export function eventObject(e: KObject): string {
  const kind = String(e.involvedObject?.kind ?? '').toLowerCase();
  const name = e.involvedObject?.name;
  return name ? `${kind}/${name}` : kind;
}

/** SOURCE of `kubectl get events -o wide`: `component, host`, falling back to the reporting fields. */
export function eventSource(e: KObject): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

export const event: Kind = {
  group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
  shortNames: ['ev'], namespaced: true,
  schema: named('io.k8s.api.core.v1.Event', obj({
    ...typeMeta,
    involvedObject: objectReference,
    reason: str('Short CamelCase reason for the event, e.g. Scheduled or BackOff.'),
    message: str('Human-readable description of what happened.'),
    source: named('io.k8s.api.core.v1.EventSource', obj({
      component: str('Component that reported the event.'),
      host: str('Node the event was reported from.'),
    }, { description: 'Who reported an event.' })),
    firstTimestamp: time('When the event was first recorded.'),
    lastTimestamp: time('When the event most recently happened.'),
    count: int32('How many times the event has happened.'),
    type: str('Normal or Warning.'),
    eventTime: microTime('When the event first happened, with microsecond precision.'),
    series: named('io.k8s.api.core.v1.EventSeries', obj({
      count: int32('Occurrences in the series up to lastObservedTime.'),
      lastObservedTime: microTime('When the latest occurrence was observed.'),
    }, { description: 'A repeating event, summarized.' })),
    action: str('What the reporter did or failed to do about the object.'),
    related: objectReference,
    reportingComponent: str('Controller that emitted the event, e.g. kubernetes.io/kubelet.'),
    reportingInstance: str('Instance of the controller that emitted the event, e.g. the kubelet\'s node.'),
  }, { required: ['metadata', 'involvedObject'], description: 'A report of something that happened to an object.', gvk: { group: '', version: 'v1', kind: 'Event' } })),

  validate(e): Cause[] {
    const causes: Cause[] = [];
    const ns: string = e.metadata?.namespace ?? '';
    const involvedNs: string = e.involvedObject?.namespace ?? '';
    if (!e.eventTime) {
      // Old-style events: the event lives in its object's namespace (or default, for cluster objects).
      if (involvedNs === '' ? ns !== '' && ns !== NAMESPACE_DEFAULT : ns !== involvedNs) {
        causes.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      }
    } else {
      if (involvedNs === '' && ns !== NAMESPACE_DEFAULT && ns !== NAMESPACE_SYSTEM) {
        causes.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      } else if (involvedNs !== '' && ns !== involvedNs) {
        causes.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      }
      if (!e.reportingComponent) causes.push(required('reportingComponent'));
      else causes.push(...qualifiedName('reportingComponent', String(e.reportingComponent)));
      if (!e.reportingInstance) causes.push(required('reportingInstance'));
      else if (String(e.reportingInstance).length > REPORTING_INSTANCE_LIMIT) causes.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
      if (!e.action) causes.push(required('action'));
      else if (String(e.action).length > ACTION_LIMIT) causes.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
      if (!e.reason) causes.push(required('reason'));
      else if (String(e.reason).length > REASON_LIMIT) causes.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
      if (typeof e.message === 'string' && e.message.length > NOTE_LIMIT) causes.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
    }
    if (e.type !== undefined && e.type !== null && e.type !== '' && e.type !== 'Normal' && e.type !== 'Warning') {
      causes.push(notSupported('type', e.type, ['Normal', 'Warning']));
    }
    if (ns) causes.push(...dns1123Subdomain('namespace', ns));
    return firstPerField(causes);
  },

  allowCreateOnUpdate: true,
  columns: [
    { name: 'Last Seen', type: 'string', priority: 0, description: 'How long ago the event last happened.', cell: (o) => eventTimes(o).last },
    { name: 'Type', type: 'string', priority: 0, description: 'Normal or Warning.', cell: (o) => o.type ?? '' },
    { name: 'Reason', type: 'string', priority: 0, description: 'Short reason for the event.', cell: (o) => o.reason ?? '' },
    { name: 'Object', type: 'string', priority: 0, description: 'The object the event is about, as kind/name.', cell: eventObject },
    { name: 'Subobject', type: 'string', priority: 1, description: 'The part of the object the event is about.', cell: (o) => o.involvedObject?.fieldPath ?? '' },
    { name: 'Source', type: 'string', priority: 1, description: 'Component (and host) that reported the event.', cell: eventSource },
    { name: 'Message', type: 'string', priority: 0, description: 'What happened.', cell: (o) => String(o.message ?? '').trim() },
    { name: 'First Seen', type: 'string', priority: 1, description: 'How long ago the event first happened.', cell: (o) => eventTimes(o).first },
    { name: 'Count', type: 'string', priority: 1, description: 'How many times the event happened.', cell: (o) => eventTimes(o).count },
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'Name of the event object.', cell: (o) => o.metadata?.name ?? '' },
  ],

  fields: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component || o.reportingComponent || '',
    type: (o) => o.type ?? '',
  },
};

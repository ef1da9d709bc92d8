import test from 'ava';
import { computeZoneState, zoneKey } from './zones.js';

test('a zone is its region and zone labels, and its health comes from Ready conditions', (t) => {
  t.is(zoneKey({ metadata: { labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' } } }), 'r:\0:z');
  t.is(zoneKey({ metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'z' } } }), ':\0:z');
  t.is(zoneKey({ metadata: {} }), '');
  const ready = { status: 'True' };
  const down = { status: 'Unknown' };
  t.is(computeZoneState([down, undefined], 0.55).state, 'FullDisruption');
  t.is(computeZoneState([ready, down, down], 0.55).state, 'Normal', 'two unhealthy nodes never make a partial disruption');
  t.is(computeZoneState([ready, down, down, down], 0.55).state, 'PartialDisruption');
  t.is(computeZoneState([ready, ready, down, down, down, ready, ready], 0.55).state, 'Normal');
});

import test from 'ava';
import { computeZoneState } from './zones.js';

test('a zone\'s health comes from its nodes\' Ready conditions', (t) => {
  const ready = { status: 'True' };
  const down = { status: 'Unknown' };
  t.is(computeZoneState([down, undefined], 0.55).state, 'FullDisruption');
  t.is(computeZoneState([ready, down, down], 0.55).state, 'Normal', 'two unhealthy nodes never make a partial disruption');
  t.is(computeZoneState([ready, down, down, down], 0.55).state, 'PartialDisruption');
  t.is(computeZoneState([ready, ready, down, down, down, ready, ready], 0.55).state, 'Normal');
});

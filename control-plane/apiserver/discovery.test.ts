import test from 'ava';
import { aggregatedDiscoveryVersion } from './discovery.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

test('the first acceptable clause decides between aggregated and legacy discovery', (t) => {
  t.is(aggregatedDiscoveryVersion(`${V2},${V2BETA1},application/json`), 'v2');
  t.is(aggregatedDiscoveryVersion(`${V2BETA1},application/json`), 'v2beta1');
  t.is(aggregatedDiscoveryVersion(`application/json,${V2}`), undefined);
  t.is(aggregatedDiscoveryVersion(undefined), undefined);
  t.is(aggregatedDiscoveryVersion('*/*'), undefined);
});

test('protobuf and unknown versions are passed over', (t) => {
  t.is(aggregatedDiscoveryVersion(`application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2}`), 'v2');
  t.is(aggregatedDiscoveryVersion('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json'), undefined);
  t.is(aggregatedDiscoveryVersion('application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList'), 'v2');
});

import test from 'ava';
import { NODES } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type CloudTestbed } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';

let bed: CloudTestbed;
/** A clean pass-through in front of moto: it counts the calls that reach the endpoint. */
let proxy: FaultProxy;
test.before(async () => {
  bed = await startCloudTestbed({ controllers: false });
  proxy = await startFaultProxy(bed.endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.url;
});
test.after.always(async () => {
  if (bed) process.env.AWS_ENDPOINT_URL = bed.endpoint.url;
  await proxy?.stop();
  await bed?.stop();
});

test('twelve nodes registered together are initialized with a couple of AWS calls, not one per node', async (t) => {
  const count = 12;
  const nodes = await startAwsNodes(bed, count, { namePrefix: 'batch-' });
  const client = adminClient(bed.cluster);
  const before = proxy.injected.passed;
  const ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node'] });
  try {
    for (const inst of nodes.instances) await eventually(`${inst.name} initialized`, async () => (await client.get(NODES, inst.name)).spec.providerID);
    // Each node's instance is found by its name; the nodes waiting together share the lookups.
    const calls = proxy.injected.passed - before;
    t.true(calls <= 3, `${calls} AWS calls for ${count} nodes`);
  } finally {
    await ccm.stop();
    await nodes.stop();
    client.close();
  }
});

import test from 'ava';
import { resolveRegion } from '../../controllers/aws/region.js';
import { freePort } from '../helpers/free-port.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

let endpoint: TestEndpoint;
test.before(async () => { endpoint = await startAwsEndpoint(); });
test.after.always(async () => { await endpoint?.stop(); });

test('the region comes from the flag, then the environment, then the instance metadata over IMDSv2', async (t) => {
  const imds = { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint.url };
  t.is(await resolveRegion('eu-west-3', { AWS_REGION: 'us-west-2', ...imds }), 'eu-west-3');
  t.is(await resolveRegion(undefined, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1', ...imds }), 'us-west-2');
  t.is(await resolveRegion(undefined, { AWS_DEFAULT_REGION: 'ap-south-1', ...imds }), 'ap-south-1');
  // moto's server answers the instance metadata service's paths, the session token first, as an instance's IMDS does.
  t.is(await resolveRegion(undefined, imds), 'us-east-1');
});

test('without any source, the error says where the region may come from', async (t) => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const err = await t.throwsAsync(resolveRegion(undefined, { AWS_EC2_METADATA_SERVICE_ENDPOINT: closed }));
  t.regex(err!.message, /^no AWS region: pass --region, set AWS_REGION, or run on an EC2 instance \(instance metadata: /);
});

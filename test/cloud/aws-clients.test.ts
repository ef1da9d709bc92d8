import test from 'ava';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Registry } from 'prom-client';
import { createAwsClients, isMutatingAction } from '../../controllers/aws/aws-clients.js';
import { awsErrorCode, isThrottling } from '../../controllers/aws/errors.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

let endpoint: TestEndpoint;
let proxy: FaultProxy;
test.before(async () => {
  endpoint = await startAwsEndpoint();
  proxy = await startFaultProxy(endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.url;
});
test.after.always(async () => {
  await proxy?.stop();
  await endpoint?.stop();
});

test.serial('throttling from either API is retried, recorded by action and code, and shown in /metrics under the AWS CCM names', async (t) => {
  const registry = new Registry();
  const aws = createAwsClients('us-east-1', registry);
  try {
    proxy.set({ throttleShare: 1 });
    const ec2 = await aws.ec2.send(new DescribeVpcsCommand({})).catch((err) => err);
    t.is(awsErrorCode(ec2), 'RequestLimitExceeded');
    t.true(isThrottling(ec2));
    const elb = await aws.elbv2.send(new DescribeLoadBalancersCommand({})).catch((err) => err);
    t.is(awsErrorCode(elb), 'Throttling');
    t.is(aws.calls.byAction.get('DescribeVpcs'), 5, 'the first attempt and four retries');
    t.is(aws.calls.errorsByCode.get('RequestLimitExceeded'), 5);
    const metrics = await registry.metrics();
    t.regex(metrics, /cloudprovider_aws_api_throttled_requests_total\{operation_name="DescribeVpcs"\} 5/);
    t.regex(metrics, /cloudprovider_aws_api_request_duration_seconds_count\{request="DescribeLoadBalancers"\} 5/);

  } finally {
    proxy.set({ throttleShare: 0, errorShare: 0 });
    aws.destroy();
  }
});

test.serial('calls succeed through a share of throttling and server errors', async (t) => {
  const aws = createAwsClients('us-east-1');
  try {
    // Every first attempt fails, in turn throttled and a server error; every retry passes.
    const rolls = [0.05, 0.99, 0.25, 0.99];
    let n = 0;
    proxy.set({ throttleShare: 0.2, errorShare: 0.2, random: () => rolls[n++ % rolls.length] });
    for (let i = 0; i < 10; i++) t.truthy((await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs, 'a call succeeds through its faults');
    t.is(aws.calls.total(), 20, 'each call took one retry');
    t.deepEqual(Object.fromEntries(aws.calls.errorsByCode), { RequestLimitExceeded: 5, InternalError: 5 });
  } finally {
    proxy.set({ throttleShare: 0, errorShare: 0, random: undefined });
    aws.destroy();
  }
});

test('reads are told from mutating calls by their action', (t) => {
  for (const a of ['DescribeInstances', 'DescribeTargetHealth', 'GetConsoleOutput', 'ListTagsForResource']) t.false(isMutatingAction(a), a);
  for (const a of ['CreateLoadBalancer', 'RegisterTargets', 'AttachVolume', 'ModifyVolume', 'AuthorizeSecurityGroupIngress', 'CreateTags']) t.true(isMutatingAction(a), a);
});

import { createAwsClients } from '../../controllers/aws/aws-clients.js';
import { stopOnSignals } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { log } from '../../client/log.js';
import { ensureLocalVpc } from '../../infra/local/local-vpc.js';
import { runVpcRouter } from '../../infra/local/vpc-router.js';

const FLAGS = { 'cluster-name': 'string', region: 'string', 'vpc-id': 'string', 'vpc-cidr': 'string', subnets: 'list', period: 'duration' } as const;

/**
 * `skiff vpc-router --cluster-name=N --vpc-id=ID --vpc-cidr=CIDR --subnets=A,B`:
 * the local VPC's router, which makes the routes of the cluster's route
 * table in the AWS endpoint (the route controller's pod routes) true in the
 * local network, until SIGTERM. The endpoint comes from the SDK's
 * configuration (AWS_ENDPOINT_URL).
 */
export async function vpcRouterCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  for (const name of ['cluster-name', 'vpc-id', 'vpc-cidr', 'subnets'] as const) if (!flags[name]) throw new Error(`--${name} is required`);
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('--region or AWS_REGION is required');
  const vpc = ensureLocalVpc({ id: flags['vpc-id']!, vpcCidr: flags['vpc-cidr']!, subnets: flags.subnets! });
  const aws = createAwsClients(region);
  const signal = stopOnSignals('vpc-router');
  log.info('vpc router started', { netns: vpc.netns, cluster: flags['cluster-name'] });
  try {
    await runVpcRouter(aws, flags['cluster-name']!, vpc, signal, flags.period ?? 2_000);
  } finally {
    aws.destroy();
  }
}

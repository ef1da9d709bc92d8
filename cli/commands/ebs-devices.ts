import { createAwsClients } from '../../controllers/aws/aws-clients.js';
import { stopOnSignals } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { log } from '../../client/log.js';
import { runEbsDevices } from '../../infra/local/ebs-devices.js';

const FLAGS = { 'volumes-dir': 'string', 'device-root': 'string', region: 'string', period: 'duration' } as const;

/**
 * `skiff ebs-devices --volumes-dir=DIR --device-root=DIR`: the EBS data
 * plane of the local workers, which makes each volume the AWS endpoint
 * attaches to a local worker's instance a block device in that worker's
 * device folder (DIR/<instance-id>, its agent's --device-dir), until
 * SIGTERM, when the devices go. The endpoint comes from the SDK's
 * configuration (AWS_ENDPOINT_URL).
 */
export async function ebsDevicesCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  for (const name of ['volumes-dir', 'device-root'] as const) if (!flags[name]) throw new Error(`--${name} is required`);
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('--region or AWS_REGION is required');
  const aws = createAwsClients(region);
  const signal = stopOnSignals('ebs-devices');
  const layout = { volumesDir: flags['volumes-dir']!, deviceRoot: flags['device-root']! };
  log.info('ebs devices started', layout);
  try {
    await runEbsDevices(aws, layout, signal, flags.period ?? 1_000);
  } finally {
    aws.destroy();
  }
}

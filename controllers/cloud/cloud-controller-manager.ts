import type { ClientConfig } from '../../client/kubeconfig.js';
import { componentClient, type ComponentSettings } from '../../component-base/component.js';
import type { SecureServing } from '../../component-base/secure-serving.js';
import { createAwsClients } from '../aws/aws-clients.js';
import { resolveRegion } from '../aws/region.js';
import { selectControllers } from '../registry.js';
import { runControllerSet } from '../run-controllers.js';
import { CLOUD_CONTROLLER_MANAGER_DEFAULTS, type CloudControllerManagerOptions } from './cloud-context.js';
import { cloudControllerDescriptors } from './registry.js';

/** The component settings `skiff cloud-controller-manager` runs with unless its flags say otherwise. */
export const CLOUD_CONTROLLER_MANAGER_COMPONENT = { lease: 'cloud-controller-manager', securePort: 10258, qps: 100, burst: 200 };

export interface CloudControllerManagerRun {
  settings?: ComponentSettings;
  onServing?(serving: SecureServing): void;
}

/**
 * The cloud-controller-manager: nodes, routes, load balancers and EBS volumes
 * reconciled against the AWS APIs, one shared pair of EC2 and ELBv2 clients
 * for every controller.
 */
export async function runCloudControllerManager(
  config: ClientConfig,
  signal: AbortSignal,
  options: Partial<CloudControllerManagerOptions> = {},
  run: CloudControllerManagerRun = {},
): Promise<'stopped' | 'lost'> {
  const opts: CloudControllerManagerOptions = { ...CLOUD_CONTROLLER_MANAGER_DEFAULTS, ...options };
  const descriptors = selectControllers(opts.controllers, cloudControllerDescriptors);
  const region = await resolveRegion(opts.region);
  const { client, registry } = componentClient(config, run.settings, CLOUD_CONTROLLER_MANAGER_COMPONENT);
  const aws = createAwsClients(region, registry);
  try {
    return await runControllerSet({
      name: 'cloud-controller-manager', client, registry, descriptors, options: opts,
      context: (base) => ({ ...base, aws }),
      settings: run.settings, onServing: run.onServing,
    }, signal);
  } finally {
    aws.destroy();
    client.close();
  }
}

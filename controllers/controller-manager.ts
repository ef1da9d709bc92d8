import type { ClientConfig } from '../client/kubeconfig.js';
import { componentClient, type ComponentSettings } from '../component-base/component.js';
import type { SecureServing } from '../component-base/secure-serving.js';
import { CONTROLLER_MANAGER_DEFAULTS, type ControllerManagerOptions } from './controller.js';
import { controllerDescriptors, selectControllers } from './registry.js';
import { runControllerSet } from './run-controllers.js';

/** The component settings `skiff controller-manager` runs with unless its flags say otherwise. */
export const CONTROLLER_MANAGER_COMPONENT = { lease: 'kube-controller-manager', securePort: 10257, qps: 200, burst: 400 };

export interface ControllerManagerRun {
  /** Component settings (leader election, serving, client rate); without them: no leader election, no serving. */
  settings?: ComponentSettings;
  onServing?(serving: SecureServing): void;
}

/** The controller-manager: kube-controller-manager's controllers, selected by --controllers. */
export async function runControllerManager(
  config: ClientConfig,
  signal: AbortSignal,
  options: Partial<ControllerManagerOptions> = {},
  run: ControllerManagerRun = {},
): Promise<'stopped' | 'lost'> {
  const opts: ControllerManagerOptions = { ...CONTROLLER_MANAGER_DEFAULTS, ...options };
  const descriptors = selectControllers(opts.controllers, controllerDescriptors);
  const { client, registry } = componentClient(config, run.settings, CONTROLLER_MANAGER_COMPONENT);
  try {
    return await runControllerSet({
      name: 'controller-manager', client, registry, descriptors, options: opts, context: (base) => base, settings: run.settings, onServing: run.onServing,
    }, signal);
  } finally {
    client.close();
  }
}

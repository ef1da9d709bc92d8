import { join } from 'node:path';
import { startMotoServer, EMBEDDED_ENDPOINT } from '../localstack/moto-server.js';
import type { ClusterState, ComponentState } from './local-cluster.js';

/** The region the local cluster uses unless AWS_REGION says otherwise. */
export const LOCAL_REGION = 'us-east-1';

/**
 * The AWS endpoint of the local cluster: the one AWS_ENDPOINT_URL names, or
 * moto's server started on 127.0.0.1:4566 (then it is a component `down`
 * stops). Sets the SDK's standard variables in this process, so the
 * components `up` starts inherit them.
 */
export async function ensureAwsEndpoint(logDir: string, clusterName: string, port: number): Promise<{ aws: NonNullable<ClusterState['aws']>; component?: ComponentState }> {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? LOCAL_REGION;
  const given = process.env.AWS_ENDPOINT_URL;
  if (given) {
    useEndpoint({ endpoint: given, region, clusterName, embedded: false });
    return { aws: { endpoint: given, region, clusterName, embedded: false } };
  }
  const log = join(logDir, 'aws-endpoint.log');
  const server = await startMotoServer({ host: EMBEDDED_ENDPOINT.host, port, logFile: log, detached: true });
  const aws = { endpoint: server.url, region, clusterName, embedded: true };
  useEndpoint(aws);
  return {
    aws,
    component: { name: 'aws-endpoint', pid: server.pid, endpoint: server.url, log, command: ['moto_server', '-H', EMBEDDED_ENDPOINT.host, '-p', String(port)] },
  };
}

/** Points this process's AWS SDK at the cluster's endpoint; moto's server gets fixed credentials of its own. */
export function useEndpoint(aws: NonNullable<ClusterState['aws']>): void {
  process.env.AWS_ENDPOINT_URL = aws.endpoint;
  process.env.AWS_REGION = aws.region;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (aws.embedded) {
    process.env.AWS_ACCESS_KEY_ID = 'skiff';
    process.env.AWS_SECRET_ACCESS_KEY = 'skiff';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }
}


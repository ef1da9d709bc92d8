import { startMotoServer, type MotoServer } from '../../localstack/moto-server.js';
import { freePort } from './free-port.js';

export interface TestEndpoint extends MotoServer {
  region: string;
  /** Clears every resource in the endpoint (moto's own reset). */
  reset(): Promise<void>;
}

/**
 * moto's server on a free port, as the AWS endpoint of this test process:
 * the SDK's standard variables point at it (so no call can leave the
 * machine), with fixed test credentials and us-east-1.
 */
export async function startAwsEndpoint(): Promise<TestEndpoint> {
  const server = await startMotoServer({ port: await freePort() });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return {
    ...server,
    region: 'us-east-1',
    reset: async () => {
      const res = await fetch(`${server.url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset: HTTP ${res.status}`);
    },
  };
}

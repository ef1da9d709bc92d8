import { ApiServer } from '../../control-plane/apiserver/server.js';
import { parseApiServerFlags } from '../../control-plane/apiserver/options.js';
import { log } from '../../client/log.js';

/** `skiff apiserver --etcd-servers=... [kube-apiserver flags]`: runs until SIGTERM. */
export async function apiserverCommand(argv: string[]): Promise<void> {
  const server = new ApiServer(parseApiServerFlags(argv));
  await server.start();
  const stop = async (signal: string) => {
    log.info('apiserver stopping', { signal });
    await server.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

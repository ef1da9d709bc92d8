import { apiserverCommand } from './commands/apiserver.js';

const USAGE = `usage: skiff <command> [flags]

commands:
  up [--detach]          start the local cluster (etcd, API server) and write its kubeconfig
  down                   stop everything 'up' started
  status [-o json]       list the components and their endpoints
  kubeconfig [--path]    print the admin kubeconfig (or its path)
  apiserver [flags]      run the API server (kube-apiserver's flag names)
  controller-manager --kubeconfig=PATH
                         run the controllers (namespace)`;

type Command = (argv: string[]) => Promise<void>;

const commands: Record<string, () => Promise<Command>> = {
  apiserver: async () => apiserverCommand,
  'controller-manager': async () => (await import('./commands/controller-manager.js')).controllerManagerCommand,
  up: async () => (await import('./commands/up.js')).upCommand,
  down: async () => (await import('./commands/down.js')).downCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  kubeconfig: async () => (await import('./commands/kubeconfig.js')).kubeconfigCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`skiff: unknown command "${name}"\n${USAGE}\n`);
    process.exit(2);
  }
  await (await load())(rest);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`skiff: ${(err as Error).message}\n`);
  process.exit(1);
});

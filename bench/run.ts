const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<boolean> }>> = {
  apiserver: async () => import('./apiserver.js'),
  scheduler: async () => import('./scheduler.js'),
  ccm: async () => import('./ccm.js'),
  'node-agent': async () => import('./node-agent.js'),
  proxy: async () => import('./proxy.js'),
};

const name = process.argv[2];
if (!name || !BENCHMARKS[name]) {
  process.stderr.write(`usage: npm run bench -- NAME\nbenchmarks: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
const ok = await (await BENCHMARKS[name]()).run();
process.exit(ok ? 0 : 1);

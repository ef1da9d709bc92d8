import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
if (!isMainThread) {
  const c = new Etcd3({ hosts: workerData.url });
  parentPort.on('message', async (m) => {
    const key = Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength); const value = Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength);
    const r = await c.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value } }], failure: [{ request_range: { key } }] });
    parentPort.postMessage({ id: m.id, succeeded: r.succeeded, revision: r.header.revision });
  });
} else {
  const { startEtcd } = await import('/work/main/dist/test/helpers/etcd.js');
  const etcd = await startEtcd();
  const mainCpu = () => { const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
  const value = Buffer.alloc(2000, 'x');
  const w = new Worker(new URL(import.meta.url), { workerData: { url: etcd.url } });
  const pending = new Map(); let seq = 0;
  w.on('message', (m) => { pending.get(m.id)(m); pending.delete(m.id); });
  const viaWorker = (key) => new Promise((res) => { const id = seq++; pending.set(id, res); w.postMessage({ id, key, value }); });
  const c = new Etcd3({ hosts: etcd.url });
  const direct = (key) => c.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value } }], failure: [{ request_range: { key } }] });
  async function run(label, fn, N = 10000) { let next = 0; const t0 = performance.now(); const m0 = mainCpu(); const c0 = process.cpuUsage();
    await Promise.all(Array.from({ length: 64 }, async () => { while (next < N) { const i = next++; await fn(Buffer.from(`/b/${label}/${i}`)); } }));
    const cc = process.cpuUsage(c0); console.log(label, 'txn/s', (N / (performance.now() - t0) * 1000).toFixed(0), 'main ms', ((mainCpu() - m0) / N * 1000).toFixed(3), 'process ms', ((cc.user + cc.system) / 1000 / N).toFixed(3)); }
  for (let k = 0; k < 2; k++) { await run('direct' + k, direct); await run('worker' + k, viaWorker); }
  c.close(); await w.terminate(); await etcd.stop();
}

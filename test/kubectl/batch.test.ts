import test from 'ava';
import { CRONJOB_INSTANTIATE } from '../../api/batch/well-known.js';
import { CRON_JOBS, JOBS } from '../../client/resources.js';
import { adminClient, defaultServiceAccount, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

test('kubectl creates a Job from a CronJob and prints both kinds with kube\'s columns', async (t) => {
  const client = adminClient(cluster);
  await defaultServiceAccount(client, 'default');
  await kubectlOk(cluster, ['create', 'cronjob', 'nightly', '--image=busybox:1.36', '--schedule=0 3 * * *', '--', 'true']);
  await kubectlOk(cluster, ['create', 'job', 'manual', '--from=cronjob/nightly']);
  const job = await client.get(JOBS, 'manual', { namespace: 'default' });
  t.is(job.metadata.annotations?.[CRONJOB_INSTANTIATE], 'manual');
  t.is(job.metadata.ownerReferences?.[0].name, 'nightly');
  const cj = await client.get(CRON_JOBS, 'nightly', { namespace: 'default' });
  t.is(cj.spec.concurrencyPolicy, 'Allow');
  const jobs = (await kubectlOk(cluster, ['get', 'jobs', '-o', 'wide'])).split('\n');
  t.regex(jobs[0], /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  t.regex(jobs[1], /^manual\s+Running\s+0\/1\s+\S+\s+nightly\s+busybox:1.36\s+batch.kubernetes.io\/controller-uid=/);
  const cronJobs = (await kubectlOk(cluster, ['get', 'cronjobs', '-o', 'wide'])).split('\n');
  t.regex(cronJobs[0], /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
  t.regex(cronJobs[1], /^nightly\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+\s+nightly\s+busybox:1.36\s+<none>$/);
  client.close();
});

import test from 'ava';
import { csiAttachmentName } from '../../api/storage/csi-attachment.js';
import { parseQuantity } from '../../api/validation/quantity.js';
import { DeviceReservations, EBS_DEVICE_NAMES } from '../../controllers/aws/ebs-devices.js';
import { capIops, volumeClientToken } from '../../controllers/aws/volumes.js';
import { roundUpGiB } from '../../controllers/cloud/volume/ebs-csi.js';
import { InvalidParameterError, provisionParameters } from '../../controllers/cloud/volume/parameters.js';

const names = { pvcName: 'data', pvcNamespace: 'shop', pvName: 'pvc-1234' };

test('StorageClass parameters are read as the EBS CSI driver reads them, keys in any case', (t) => {
  const { fsType, request } = provisionParameters({
    Type: 'io2', IOPSPERGB: '20', Encrypted: 'TRUE', kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', throughput: '250',
    'csi.storage.k8s.io/fstype': 'xfs', 'csi.storage.k8s.io/provisioner-secret-name': 'ignored',
    tagSpecification_1: 'team=storage', tagSpecification_2: 'owner={{ .PVCNamespace }}/{{.PVCName}} for {{ .PVName }}', tagSpecification_3: 'empty=',
  }, names);
  t.is(fsType, 'xfs');
  t.deepEqual(request, {
    type: 'io2', iopsPerGB: 20, encrypted: true, kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', throughput: 250,
    tags: {
      'kubernetes.io/created-for/pvc/name': 'data', 'kubernetes.io/created-for/pvc/namespace': 'shop', 'kubernetes.io/created-for/pv/name': 'pvc-1234',
      team: 'storage', owner: 'shop/data for pvc-1234', empty: '',
    },
  });
  t.is(provisionParameters(undefined, names).fsType, 'ext4');
});

test('parameters the driver refuses fail with its words', (t) => {
  const refused = (parameters: Record<string, string>) => t.throws(() => provisionParameters(parameters, names), { instanceOf: InvalidParameterError })?.message;
  t.is(refused({ tpye: 'gp3' }), 'Invalid parameter key tpye for CreateVolume');
  t.is(refused({ iops: '3000', iopsPerGB: '10' }), 'invalid StorageClass parameters; specify either IOPS or IOPSPerGb, not both');
  t.is(refused({ iops: 'many' }), 'Could not parse invalid iops: "many"');
  t.is(refused({ tagSpecification_1: 'novalue' }), "the key-value pair doesn't contain a value (string: novalue)");
  t.is(refused({ tagSpecification_1: 'kubernetes.io/x=y' }), "Invalid tag value: tag key prefix 'kubernetes.io' is reserved");
  t.is(refused({ tagSpecification_1: 'CSIVolumeName=y' }), "Invalid tag value: tag key 'CSIVolumeName' is reserved");
  t.is(refused({ tagSpecification_1: 'x={{ .Other }}' }), 'Error interpolating tag value: template {{ .Other }} is not supported');
  t.regex(refused({ blockSize: '4096' })!, /not implemented by Skiff/);
});

test('IOPS are capped to the volume type\'s limits as the EBS CSI driver caps them', (t) => {
  t.is(capIops('gp3', 100, 20_000, false), 16_000);
  t.is(capIops('gp3', 10, 10_000, false), 5000);
  // 500 per GiB of 1 GiB is below gp3's 3000 minimum: the ratio does not apply.
  t.is(capIops('gp3', 1, 4000, false), 4000);
  t.is(capIops('io1', 4, 1000, false), 200);
  t.is(capIops('io2', 4, 50, false), 50);
  t.is(capIops('io2', 4, 50, true), 100);
  t.is(capIops('standard', 4, 50, true), 50);
});

test('device names run from /dev/xvdaa in the driver\'s order, one per attachment in flight', (t) => {
  t.is(EBS_DEVICE_NAMES[0], '/dev/xvdaa');
  t.is(EBS_DEVICE_NAMES[EBS_DEVICE_NAMES.indexOf('/dev/xvdbz') + 1], '/dev/xvdda');
  t.is(EBS_DEVICE_NAMES.at(-1), '/dev/xvddx');
  const devices = new DeviceReservations();
  const first = devices.reserve('i-1', ['/dev/xvda', '/dev/xvdaa']);
  t.is(first, '/dev/xvdab');
  t.is(devices.reserve('i-1', ['/dev/xvdaa']), '/dev/xvdac');
  t.is(devices.reserve('i-2', []), '/dev/xvdaa');
  devices.release('i-1', first);
  t.is(devices.reserve('i-1', ['/dev/xvdaa']), '/dev/xvdab');
  t.throws(() => devices.reserve('i-3', EBS_DEVICE_NAMES), { message: /no free device name on instance i-3/ });
});

test('names and sizes: the client token is the SHA-256 of the PV name, attachments are named as kube names them, sizes round up to GiB', (t) => {
  t.is(volumeClientToken('pvc-1'), 'f2868e1aa7cab669517cd9f5ab1b7957c0b92df38fef583267e34e1acc8253fe');
  t.not(volumeClientToken('pvc-1'), volumeClientToken('pvc-2'));
  t.is(csiAttachmentName('vol-1', 'ebs.csi.aws.com', 'node-a'), 'csi-7ba6b8ed285c3c863d675c3b4567d68ede4307ae1a37202e02bf2c4b9f42f28b');
  t.not(csiAttachmentName('vol-1', 'ebs.csi.aws.com', 'node-a'), csiAttachmentName('vol-1', 'ebs.csi.aws.com', 'node-b'));
  const gib = (q: string) => roundUpGiB(parseQuantity(q)!);
  t.is(gib('1Gi'), 1);
  t.is(gib('1500Mi'), 2);
  t.is(gib('1G'), 1);
  t.is(gib('10M'), 1);
  t.is(gib('100Gi'), 100);
  t.is(gib('1.5Gi'), 2);
});

import { selectorFromSet } from '../../api/selectors/label-selector.js';
import { REPLICATION_CONTROLLERS } from '../../client/resources.js';
import { replicaOwnerController } from '../replicaset/replicaset-controller.js';

/**
 * The ReplicationController controller: kube runs the ReplicaSet controller
 * over ReplicationControllers, and so does this one. Only the selector
 * differs, a plain label map each of whose pairs a pod must carry.
 */
export const replicationController = replicaOwnerController({
  resource: REPLICATION_CONTROLLERS, apiVersion: 'v1', kind: 'ReplicationController',
  component: 'replication-controller', queueName: 'replicationcontroller',
  selector: (rc) => selectorFromSet(rc.spec?.selector),
}, { name: 'replicationcontroller-controller', aliases: ['replicationcontroller'] });

import { nodeCondition } from '../../../api/node-status.js';
import { rfc3339 } from '../../../api/time.js';
import { isNotFound } from '../../../client/api-error.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';

/**
 * kube's route controller's updateNetworkingCondition: NetworkUnavailable
 * False (RouteCreated) once every route of the node is in place, True
 * (NoRouteCreated) while one is missing; written only when it changes, as
 * one condition merged into the node's status by type.
 */
export async function updateNetworkingCondition(client: RestClient, node: AnyObject, routesCreated: boolean): Promise<void> {
  const current = nodeCondition(node.status, 'NetworkUnavailable');
  const status = routesCreated ? 'False' : 'True';
  if (current?.status === status) return;
  const now = rfc3339(Date.now());
  const condition = routesCreated
    ? { type: 'NetworkUnavailable', status, reason: 'RouteCreated', message: 'RouteController created a route', lastTransitionTime: now, lastHeartbeatTime: now }
    : { type: 'NetworkUnavailable', status, reason: 'NoRouteCreated', message: 'RouteController failed to create a route', lastTransitionTime: now, lastHeartbeatTime: now };
  await client.patch(NODES, node.metadata.name!, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' }).catch((err) => {
    if (!isNotFound(err)) throw err;
  });
}

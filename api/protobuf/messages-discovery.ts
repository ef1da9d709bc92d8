// Protobuf field-number tables for k8s.io/api discovery/v1 (EndpointSlice).
// Facts transcribed from the upstream discovery/v1 generated.proto (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const discoveryMessages: Record<string, MessageTable> = {
  'discovery.EndpointSlice': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'endpoints', type: { message: 'discovery.Endpoint' }, repeated: true },
    3: { name: 'ports', type: { message: 'discovery.EndpointPort' }, repeated: true },
    4: { name: 'addressType', type: 'string', always: true },
  },
  'discovery.EndpointSliceList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'discovery.EndpointSlice' }, repeated: true },
  },
  'discovery.Endpoint': {
    1: { name: 'addresses', type: 'string', repeated: true },
    2: { name: 'conditions', type: { message: 'discovery.EndpointConditions' } },
    3: { name: 'hostname', type: 'string', pointer: true },
    4: { name: 'targetRef', type: { message: 'core.ObjectReference' } },
    5: { name: 'deprecatedTopology', type: { map: ['string', 'string'] } },
    6: { name: 'nodeName', type: 'string', pointer: true },
    7: { name: 'zone', type: 'string', pointer: true },
    8: { name: 'hints', type: { message: 'discovery.EndpointHints' } },
  },
  'discovery.EndpointConditions': {
    1: { name: 'ready', type: 'bool', pointer: true },
    2: { name: 'serving', type: 'bool', pointer: true },
    3: { name: 'terminating', type: 'bool', pointer: true },
  },
  'discovery.EndpointHints': {
    1: { name: 'forZones', type: { message: 'discovery.ForZone' }, repeated: true },
  },
  'discovery.ForZone': {
    1: { name: 'name', type: 'string', always: true },
  },
  'discovery.EndpointPort': {
    1: { name: 'name', type: 'string', pointer: true },
    2: { name: 'protocol', type: 'string', pointer: true },
    3: { name: 'port', type: 'int32', pointer: true },
    4: { name: 'appProtocol', type: 'string', pointer: true },
  },
};

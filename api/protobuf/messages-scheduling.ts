// Protobuf field-number tables for k8s.io/api scheduling/v1 (PriorityClass).
// Facts transcribed from the upstream scheduling/v1 generated.proto (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const schedulingMessages: Record<string, MessageTable> = {
  'scheduling.PriorityClass': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'value', type: 'int32', always: true },
    3: { name: 'globalDefault', type: 'bool' },
    4: { name: 'description', type: 'string' },
    5: { name: 'preemptionPolicy', type: 'string', pointer: true },
  },
  'scheduling.PriorityClassList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'scheduling.PriorityClass' }, repeated: true },
  },
};

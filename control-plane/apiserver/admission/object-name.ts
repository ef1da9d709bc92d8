import type { KObject } from '../../../api/kind.js';

/** The name kube's admission errors give an object: a generated one is not chosen yet, so its prefix, else "Unknown". */
export const admissionName = (obj: KObject): string => obj.metadata?.name || obj.metadata?.generateName || 'Unknown';

/**
 * The finalizers of kube's StorageObjectInUseProtection: the API server puts
 * them on every new claim and volume, and the pvc-protection and
 * pv-protection controllers take them off once nothing uses the object.
 */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

import type { KObject } from '../../../api/kind.js';
import { INGRESS_CLASS_ANNOTATION } from '../../../api/kinds/ingress.js';
import { isDefaultIngressClass } from '../../../api/kinds/ingress-class.js';
import type { ResourceStore } from '../registry/resource-store.js';

/**
 * The DefaultIngressClass admission plugin: a new Ingress that names no
 * class, neither in spec.ingressClassName nor in the legacy annotation, gets
 * the class marked as the default (the newest, then the first by name, if
 * several are marked).
 */
export function defaultIngressClass(ingressClasses: ResourceStore) {
  return async (ingress: KObject): Promise<void> => {
    if (ingress.spec?.ingressClassName !== undefined && ingress.spec?.ingressClassName !== null) return;
    if (ingress.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
    const { items } = await ingressClasses.list({ filter: isDefaultIngressClass });
    if (!items.length) return;
    const created = (c: KObject) => Date.parse(c.metadata.creationTimestamp);
    const chosen = items.reduce((a, b) => (created(b) > created(a) || (created(b) === created(a) && b.metadata.name < a.metadata.name) ? b : a));
    ingress.spec = { ...ingress.spec, ingressClassName: chosen.metadata.name };
  };
}

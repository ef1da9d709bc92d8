import type { KObject } from './kind.js';
import { arr, named, obj, str, strMap } from './schema.js';
import { forbidden, invalid, required, type Cause } from './validation/field-errors.js';
import { labelValue, labels, qualifiedName } from './validation/names.js';

/** metav1.LabelSelector, shared by every kind that selects objects by label. */
export const labelSelectorSchema = named('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', obj({
  matchLabels: strMap('Labels an object must carry, as key/value pairs; ANDed with matchExpressions.'),
  matchExpressions: arr(named('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', obj({
    key: str('The label key the requirement is about.'),
    operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
    values: arr(str(), { listType: 'atomic', description: 'Values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.' }),
  }, { required: ['key', 'operator'], description: 'One condition on a label: a key, an operator and maybe values.' })), { listType: 'atomic', description: 'Conditions on labels, all of which must hold.' }),
}, { description: 'A label query over objects. An empty selector matches everything; a missing one matches nothing.' }));

/** Kubernetes' checks of a LabelSelector at `field` (e.g. spec.selector). */
export function validateLabelSelector(field: string, selector: KObject | undefined): Cause[] {
  if (!selector) return [];
  const causes: Cause[] = [...labels(`${field}.matchLabels`, selector.matchLabels)];
  (selector.matchExpressions ?? []).forEach((e: KObject, i: number) => {
    const path = `${field}.matchExpressions[${i}]`;
    const values: unknown[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (!values.length) causes.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length) causes.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(invalid(`${path}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    causes.push(...qualifiedName(`${path}.key`, e.key ?? ''));
    values.forEach((v, j) => {
      if (typeof v === 'string') causes.push(...labelValue(`${path}.values[${j}]`, v));
    });
  });
  return causes;
}

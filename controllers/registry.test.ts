import test from 'ava';
import type { ControllerDescriptor } from './controller.js';
import { selectControllers } from './registry.js';

const descriptor = (name: string, alias: string, enabledByDefault = true): ControllerDescriptor => ({ name, aliases: [alias], enabledByDefault, create: () => [] });
const all = [descriptor('a-controller', 'a'), descriptor('b-controller', 'b'), descriptor('c-controller', 'c', false)];

test('--controllers selects as kube does: * for the defaults, names to add, -names to remove', (t) => {
  const names = (list: string[]) => selectControllers(list, all).map((d) => d.name);
  t.deepEqual(names(['*']), ['a-controller', 'b-controller']);
  t.deepEqual(names(['*', '-a']), ['b-controller']);
  t.deepEqual(names(['*', 'c-controller']), ['a-controller', 'b-controller', 'c-controller']);
  t.deepEqual(names(['b']), ['b-controller']);
  t.throws(() => names(['nope']), { message: /"nope" is not in the list of known controllers/ });
});

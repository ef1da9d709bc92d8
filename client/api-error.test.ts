import test from 'ava';
import { aggregate, ApiError, ignoreNotFound, isNamespaceTerminating, wrapError } from './api-error.js';

test('several failures read as kube\'s aggregate: one message alone, several in brackets, each once', (t) => {
  t.is(aggregate([]), undefined);
  t.is(aggregate([new Error('a')])!.message, 'a');
  t.is(aggregate([new Error('a'), 'b', new Error('a')])!.message, '[a, b]');
  t.is(wrapError('failed to create EndpointSlice', new Error('forbidden')).message, 'failed to create EndpointSlice: forbidden');
});

test('a namespace being deleted is told by its status cause; a NotFound is ignored, nothing else', (t) => {
  const terminating = new ApiError({ code: 403, reason: 'Forbidden', details: { causes: [{ reason: 'NamespaceTerminating' }] } });
  t.true(isNamespaceTerminating(terminating));
  t.false(isNamespaceTerminating(new Error('x')));
  t.notThrows(() => ignoreNotFound(new ApiError({ code: 404, reason: 'NotFound' })));
  t.throws(() => ignoreNotFound(terminating));
});

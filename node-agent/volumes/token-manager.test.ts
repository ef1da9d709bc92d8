import test from 'ava';
import { needsRenewal } from './token-manager.js';

const HOUR = 3600_000;

test('a token is renewed once 80% of its lifetime has passed, less the jitter', (t) => {
  const issued = 1_000_000_000_000;
  const token = { token: 'x', expiresAt: issued + 3607_000, expirationSeconds: 3607 };
  t.false(needsRenewal(token, issued + 2_885_000, 0), 'just under 80%');
  t.true(needsRenewal(token, issued + 2_886_000, 0), 'past 80%');
  t.true(needsRenewal(token, issued + 2_880_000, 10_000), 'the jitter brings it forward');
});

test('a long-lived token is renewed a day after it was issued', (t) => {
  const issued = 1_000_000_000_000;
  const token = { token: 'x', expiresAt: issued + 365 * 24 * HOUR, expirationSeconds: 365 * 24 * 3600 };
  t.false(needsRenewal(token, issued + 23 * HOUR, 0));
  t.true(needsRenewal(token, issued + 24 * HOUR + 1, 0));
});

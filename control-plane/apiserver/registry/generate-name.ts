import { randomInt } from 'node:crypto';

/** apimachinery's rand alphabet: no vowels, nor the digits that read as them, so no words form. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The five random characters kube's SimpleNameGenerator puts after a generateName prefix. */
export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

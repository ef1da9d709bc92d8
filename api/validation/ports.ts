import { invalid, notSupported, required, type Cause } from './field-errors.js';

/** Port protocols in the order Kubernetes lists them in errors. */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const isValidPortNum = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

export function validatePortNum(field: string, value: unknown): Cause[] {
  return isValidPortNum(value) ? [] : [invalid(field, value, 'must be between 1 and 65535, inclusive')];
}

/** The reasons `name` is not an IANA_SVC_NAME (RFC 6335): at most 15 chars, a-z0-9 and single inner hyphens, one letter. */
export function portNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
  if (name.includes('--')) problems.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

export function validatePortName(field: string, value: string): Cause[] {
  return portNameProblems(value).map((msg) => invalid(field, value, msg));
}

/** A port given by number (1-65535) or by IANA service name, as container and target ports are. */
export function validatePortNumOrName(field: string, value: unknown): Cause[] {
  if (typeof value === 'number') return validatePortNum(field, value);
  if (typeof value === 'string') {
    // A numeric string is still a name to Kubernetes (and fails as one).
    return validatePortName(field, value);
  }
  return [invalid(field, value, 'must be a port number or name')];
}

export function validateProtocol(field: string, value: unknown): Cause[] {
  if (value === undefined || value === '') return [required(field)];
  return PORT_PROTOCOLS.includes(value as string) ? [] : [notSupported(field, value, PORT_PROTOCOLS)];
}

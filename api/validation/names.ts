import { invalid, tooLong, type Cause } from './field-errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123Label(field: string, value: string): Cause[] {
  if (value.length > 63) return [invalid(field, value, 'must be no more than 63 characters')];
  if (!DNS1123_LABEL.test(value)) {
    return [invalid(field, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")];
  }
  return [];
}

/** validation.IsDNS1123Subdomain: the length and the syntax are reported independently. */
function subdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return problems;
}

export function dns1123Subdomain(field: string, value: string): Cause[] {
  return subdomainProblems(value).map((p) => invalid(field, value, p));
}

export function dns1035Label(field: string, value: string): Cause[] {
  if (value.length > 63) return [invalid(field, value, 'must be no more than 63 characters')];
  if (!DNS1035_LABEL.test(value)) {
    return [invalid(field, value, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")];
  }
  return [];
}

/** Keys already found valid: the same few label and annotation keys recur in every object. */
const validQualifiedNames = new Set<string>();

const NAME_PART_SYNTAX = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/**
 * validation.IsQualifiedName: why `value` is not a label key (an optional DNS
 * subdomain prefix and a name), each reason a separate message, as kube
 * reports them; empty when it is one.
 */
export function qualifiedNameProblems(value: string): string[] {
  if (validQualifiedNames.has(value)) return [];
  const parts = value.split('/');
  if (parts.length > 2) return [`a qualified name ${NAME_PART_SYNTAX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const problems: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') problems.push('prefix part must be non-empty');
    else problems.push(...subdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) problems.push(`name part ${NAME_PART_SYNTAX}`);
  if (!problems.length) {
    if (validQualifiedNames.size >= 4096) validQualifiedNames.clear();
    validQualifiedNames.add(value);
  }
  return problems;
}

/** A label or annotation key (ValidateLabelName): one Invalid cause per problem. */
export function qualifiedName(field: string, value: string): Cause[] {
  return qualifiedNameProblems(value).map((p) => invalid(field, value, p));
}

const LABEL_VALUE_SYNTAX = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** validation.IsValidLabelValue: the length and the syntax are reported independently. */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) problems.push(LABEL_VALUE_SYNTAX);
  return problems;
}

export function labelValue(field: string, value: string): Cause[] {
  return labelValueProblems(value).map((p) => invalid(field, value, p));
}

/** ValidateLabels: keys and values are both reported at `field` itself, as kube does. */
export function labels(field: string, value: unknown): Cause[] {
  if (value === undefined || value === null) return [];
  const causes: Cause[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    causes.push(...qualifiedName(field, k));
    if (typeof v === 'string') causes.push(...labelValue(field, v));
  }
  return causes;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function annotations(field: string, value: unknown): Cause[] {
  if (value === undefined || value === null) return [];
  const causes: Cause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    causes.push(...qualifiedName(field, k.toLowerCase()));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) causes.push(tooLong(field, TOTAL_ANNOTATION_SIZE));
  return causes;
}

/** How a kind's object names are checked; most kinds take DNS subdomains. */
export type NameRule = (field: string, value: string) => Cause[];

/** Names that would escape their etcd key or URL path are refused by every kind. */
export function pathSegmentName(field: string, value: string): Cause[] {
  if (value === '.' || value === '..') return [invalid(field, value, `may not be '${value}'`)];
  for (const bad of ['/', '%']) {
    if (value.includes(bad)) return [invalid(field, value, `may not contain '${bad}'`)];
  }
  return [];
}

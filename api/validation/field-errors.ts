/**
 * Field errors in Kubernetes' own wording: each becomes one cause of a 422
 * Invalid Status, `field` being the JSON path of the offending value.
 */
export interface Cause {
  reason: string;
  message: string;
  field: string;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

export const required = (field: string, detail = ''): Cause =>
  ({ reason: 'FieldValueRequired', field, message: `${field}: Required value${detail ? ': ' + detail : ''}` });

export const invalid = (field: string, value: unknown, detail: string): Cause =>
  ({ reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${show(value)}: ${detail}` });

export const notSupported = (field: string, value: unknown, supported: string[]): Cause =>
  ({ reason: 'FieldValueNotSupported', field, message: `${field}: Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });

export const duplicate = (field: string, value: unknown): Cause =>
  ({ reason: 'FieldValueDuplicate', field, message: `${field}: Duplicate value: ${show(value)}` });

export const forbidden = (field: string, detail: string): Cause =>
  ({ reason: 'FieldValueForbidden', field, message: `${field}: Forbidden: ${detail}` });

export const tooLong = (field: string, max: number): Cause =>
  ({ reason: 'FieldValueTooLong', field, message: `${field}: Too long: may not be more than ${max} bytes` });

export const typeInvalid = (field: string, value: unknown, expected: string): Cause =>
  ({ reason: 'FieldValueTypeInvalid', field, message: `${field}: Invalid value: ${show(value)}: ${field} in body must be of type ${expected}` });

export const immutable = (field: string, value: unknown): Cause =>
  invalid(field, value, 'field is immutable');

// Field-number tables for the Kubernetes protobuf wire format
// (application/vnd.kubernetes.protobuf), read by the schema-driven decoder.
//
// Provenance: field numbers, wire types and names were transcribed from the
// generated.proto files of k8s.io/api (core/v1, apps/v1, coordination/v1,
// storage/v1, autoscaling/v1, rbac/v1, authorization/v1, authentication/v1,
// certificates/v1, discovery/v1; commit 10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2)
// and k8s.io/apimachinery (pkg/apis/meta/v1, pkg/runtime, pkg/api/resource,
// pkg/util/intstr; commit eed236ceee2c19c2753a3d93ac0631dc20750454). The JSON
// names were cross-checked against the Go struct `json:` tags in types.go.
// The `pointer` and `always` marks were read from the same structs' field
// types and `json:` tags (matched to fields by their `protobuf:` tag numbers)
// in k8s.io/api v0.32.9 and apimachinery v0.32.9, the v1.32 release the API
// server answers as, and at the commits above for fields added since; no
// scalar field's mark differs between the two.
// Kubernetes only ever adds fields (numbers are never reused), so the tables
// stay valid for older clients.

/** Protobuf scalar wire types used by Kubernetes messages. */
export type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'double' | 'float';

/**
 * A message field: JSON name, wire type, and whether it repeats.
 * `map` fields are map<key,value> (entries key=1, value=2).
 *
 * `inline` marks a Go struct embedded without a JSON name (`json:""` /
 * `json:",inline"`), e.g. Probe.handler (ProbeHandler), Volume.volumeSource
 * (VolumeSource), PersistentVolumeSpec.persistentVolumeSource,
 * EphemeralContainer.ephemeralContainerCommon and the localObjectReference of
 * ConfigMapKeySelector / SecretKeySelector / ConfigMapEnvSource / ... . On the
 * wire it is a nested message under its own field number, but in JSON its
 * fields are merged into the parent object: the decoder must copy the decoded
 * sub-object's keys into the parent instead of setting `name`.
 *
 * `pointer` and `always` say how kube-apiserver writes a singular scalar field
 * (string, bytes, number, bool) back as JSON once the body is decoded into
 * its Go struct. Go clients (gogo-protobuf) send every non-pointer scalar,
 * zero or not, and a pointer only when it is set. Unmarked fields are
 * non-pointers tagged `omitempty`: their zero value ('', 0, false) is left
 * out, as kube's JSON leaves it out.
 * - `pointer`: the Go field is a pointer (`*int32`, `*bool`, `*string`, ...);
 *   a value on the wire was set on purpose and is kept, zero included.
 * - `always`: a non-pointer Go field without `omitempty` (`json:"port"`);
 *   kube always writes it, zero included.
 * Message, repeated and map fields carry no mark: a message on the wire is
 * kept (Go's encoding/json never omits a struct), lists and maps on the wire
 * are never empty.
 */
export interface FieldSpec {
  name: string;
  type: Scalar | { message: string } | { map: [Scalar, Scalar | { message: string }] };
  repeated?: boolean;
  inline?: boolean;
  pointer?: true;
  always?: true;
}

/** A message's fields by field number. */
export type MessageTable = Record<number, FieldSpec>;

/**
 * Messages the decoder converts to plain JSON values itself (no table):
 * - meta.Time, meta.MicroTime: seconds=1 int64, nanos=2 int32 -> RFC3339
 *   string, or null for the zero time (their Go MarshalJSON writes null, so a
 *   template's empty metadata reads `creationTimestamp: null`)
 * - meta.Duration: duration=1 int64 (nanoseconds)
 * - meta.FieldsV1: Raw=1 bytes -> JSON
 * - resource.Quantity: string=1 -> string
 * - intstr.IntOrString: type=1 int64 (0 int, 1 string), intVal=2 int32, strVal=3 string -> number | string
 * - runtime.RawExtension: raw=1 bytes -> JSON
 */
export const SPECIAL: ReadonlySet<string> = new Set([
  'meta.Time',
  'meta.MicroTime',
  'meta.Duration',
  'meta.FieldsV1',
  'resource.Quantity',
  'intstr.IntOrString',
  'runtime.RawExtension',
]);

/**
 * Messages that stand for a Go named slice type (`type ExtraValue []string`):
 * on the wire a message repeating its items in field 1, in JSON the bare list.
 */
export const LIST_WRAPPERS: ReadonlySet<string> = new Set(['authorization.ExtraValue', 'certificates.ExtraValue', 'authentication.ExtraValue']);

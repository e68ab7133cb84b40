/**
 * Turns zod's OpenAPI 3.0 output into a Kubernetes *structural* schema (apiextensions.k8s.io/v1):
 * every node typed, no `additionalProperties` beside `properties`, maps as `additionalProperties`
 * with a schema, free-form objects as `x-kubernetes-preserve-unknown-fields`, number|string unions
 * as `x-kubernetes-int-or-string`. Anything it does not know how to carry over is an error, so a new
 * zod construct cannot silently produce a CRD the API server rejects.
 */

export type Schema = Record<string, unknown>

/** Keys a node may carry through unchanged (apart from the recursive ones handled below). */
const SCALAR_KEYS = new Set([
  'type',
  'description',
  'default',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
])

/** Formats the API server understands; others would only produce warnings, so they are dropped. */
const K8S_FORMATS = new Set([
  'bsonobjectid',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'byte',
  'password',
  'date',
  'duration',
  'datetime',
  'date-time',
  'int32',
  'int64',
  'float',
  'double',
])

const NUMERIC = new Set(['integer', 'number'])

/** Output key order, so the YAML reads top-down the way CRDs usually do. */
const KEY_ORDER = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'x-kubernetes-int-or-string',
  'anyOf',
  'x-kubernetes-preserve-unknown-fields',
  'properties',
  'additionalProperties',
  'items',
  'required',
]

export class StructuralSchemaError extends Error {}

/** Converts one node (and everything under it). `path` names the node in error messages. */
export function toStructural(node: Schema, path = '$'): Schema {
  if (Object.keys(node).length === 0) {
    // z.unknown(): anything goes, and the API server must keep it.
    return { 'x-kubernetes-preserve-unknown-fields': true }
  }
  if (Array.isArray(node['anyOf'])) return intOrString(node, path)

  const out: Schema = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' || key === 'additionalProperties' || key === 'items') continue
    if (!SCALAR_KEYS.has(key)) {
      throw new StructuralSchemaError(`${path}: "${key}" has no structural equivalent`)
    }
    if (key === 'format' && !K8S_FORMATS.has(String(value))) continue
    if ((key === 'minimum' || key === 'maximum') && isSafeIntegerBound(value)) continue
    if (key === 'pattern') checkRe2(String(value), path)
    out[key] = value
  }
  const type = out['type']
  if (typeof type !== 'string') throw new StructuralSchemaError(`${path}: no type`)

  if (type === 'object') objectNode(node, out, path)
  else if (type === 'array') {
    const items = node['items']
    if (!isSchema(items)) throw new StructuralSchemaError(`${path}: array without items`)
    out['items'] = toStructural(items, `${path}[*]`)
  }
  return ordered(out)
}

function objectNode(node: Schema, out: Schema, path: string): void {
  const properties = node['properties']
  const additional = node['additionalProperties']
  if (isSchema(properties) && Object.keys(properties).length > 0) {
    const props: Schema = {}
    for (const [name, child] of Object.entries(properties)) {
      if (!isSchema(child)) throw new StructuralSchemaError(`${path}.${name}: not a schema`)
      props[name] = toStructural(child, `${path}.${name}`)
    }
    out['properties'] = props
    // Strict objects (additionalProperties: false) become plain properties: the API server prunes
    // unknown fields instead. Loose objects keep what they do not describe.
    if (additional === true || (isSchema(additional) && Object.keys(additional).length === 0)) {
      out['x-kubernetes-preserve-unknown-fields'] = true
    } else if (isSchema(additional)) {
      throw new StructuralSchemaError(`${path}: properties and an additionalProperties schema`)
    }
    return
  }
  delete out['required']
  if (isSchema(additional) && Object.keys(additional).length > 0) {
    out['additionalProperties'] = toStructural(additional, `${path}.*`)
  } else {
    // A record of unknown values, or an object with no fields: keep it as written.
    out['x-kubernetes-preserve-unknown-fields'] = true
  }
}

/** The one union a structural schema allows: integer-or-string, as Kubernetes' IntOrString. */
function intOrString(node: Schema, path: string): Schema {
  const branches = node['anyOf'] as unknown[]
  const types = new Set(branches.map((b) => (isSchema(b) ? b['type'] : undefined)))
  const numeric = [...types].some((t) => typeof t === 'string' && NUMERIC.has(t))
  const onlyScalars = [...types].every((t) => t === 'string' || (typeof t === 'string' && NUMERIC.has(t)))
  if (!numeric || !types.has('string') || !onlyScalars) {
    throw new StructuralSchemaError(
      `${path}: union of ${[...types].map(String).join(', ')} is not structural (only number|string is)`,
    )
  }
  const out: Schema = {
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
  }
  if (typeof node['description'] === 'string') out['description'] = node['description']
  return ordered(out)
}

/** Kubernetes compiles patterns with Go's RE2: no lookaround, no back-references. */
function checkRe2(pattern: string, path: string): void {
  if (/\(\?[=!<]|\\[1-9]/.test(pattern)) {
    throw new StructuralSchemaError(`${path}: pattern ${pattern} is not RE2 (lookaround or backref)`)
  }
}

function isSafeIntegerBound(value: unknown): boolean {
  return value === Number.MAX_SAFE_INTEGER || value === Number.MIN_SAFE_INTEGER
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function ordered(node: Schema): Schema {
  const rank = (k: string): number => {
    const i = KEY_ORDER.indexOf(k)
    return i === -1 ? KEY_ORDER.length : i
  }
  return Object.fromEntries(Object.entries(node).sort(([a], [b]) => rank(a) - rank(b)))
}

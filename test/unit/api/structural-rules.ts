/**
 * An independent check of the apiextensions.k8s.io/v1 structural-schema rules (and the OpenAPI
 * v3.0 keywords a CRD may use), so the generator is not trusted to grade its own output.
 */
export type Node = Record<string, unknown>

const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string'])

/** Fields of apiextensions v1 JSONSchemaProps a structural schema may use. */
const ALLOWED = new Set([
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'nullable',
  'example',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
])

const INT_OR_STRING_ANY_OF = JSON.stringify([{ type: 'integer' }, { type: 'string' }])

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

type Check = (node: Node, path: string) => string[]

const keywords: Check = (node) => {
  const out = Object.keys(node)
    .filter((k) => !ALLOWED.has(k))
    .map((k) => `key "${k}" not allowed`)
  if (node['uniqueItems'] === true) out.push('uniqueItems: true')
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (k in node && typeof node[k] !== 'boolean') out.push(`${k} must be a boolean (OpenAPI v3.0)`)
  }
  const pattern = node['pattern']
  if (typeof pattern === 'string') {
    if (/\(\?[=!<]|\\[1-9]/.test(pattern)) out.push('pattern not RE2')
    try {
      new RegExp(pattern)
    } catch {
      out.push('pattern does not compile')
    }
  }
  return out
}

const typed: Check = (node) => {
  const type = node['type']
  const intOrString = node['x-kubernetes-int-or-string'] === true
  const preserve = node['x-kubernetes-preserve-unknown-fields']
  const out: string[] = []
  if (preserve !== undefined && preserve !== true) out.push('preserve-unknown-fields must be true')
  if (type === undefined) {
    if (!intOrString && preserve !== true) out.push('no type')
  } else if (typeof type !== 'string' || !TYPES.has(type))
    out.push(`bad type ${JSON.stringify(type)}`)
  if (intOrString && type !== undefined) out.push('int-or-string with a type')
  return out
}

const junctors: Check = (node) => {
  const out = ['allOf', 'oneOf', 'not'].filter((j) => j in node).map((j) => `${j} used`)
  if ('anyOf' in node) {
    const ok =
      node['x-kubernetes-int-or-string'] === true &&
      JSON.stringify(node['anyOf']) === INT_OR_STRING_ANY_OF
    if (!ok) out.push('anyOf other than the int-or-string pattern')
  }
  return out
}

const shape: Check = (node, path) => {
  const out: string[] = []
  const type = node['type']
  const props = node['properties']
  const additional = node['additionalProperties']
  if (additional === false) out.push('additionalProperties: false')
  if (props !== undefined && additional !== undefined)
    out.push('properties beside additionalProperties')
  if (type === 'object') {
    // Not a Kubernetes rule but ours: such an object would silently prune all it holds. Root
    // metadata is the exception: the API server validates ObjectMeta itself.
    const rootMeta = path.endsWith(':$.metadata')
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true
    if (props === undefined && additional === undefined && !preserve && !rootMeta) {
      out.push('object with no properties, additionalProperties or preserve-unknown-fields')
    }
  } else if (props !== undefined || additional !== undefined) {
    out.push(`${String(type)} with properties`)
  }
  if (type === 'array' && !isNode(node['items'])) out.push('array without an items schema')
  if (type !== 'array' && node['items'] !== undefined) out.push('items on a non-array')
  const required: unknown = node['required']
  if (Array.isArray(required)) {
    for (const r of required) {
      if (!isNode(props) || !(String(r) in props))
        out.push(`required ${JSON.stringify(r)} not a property`)
    }
  }
  return out
}

const CHECKS: readonly Check[] = [keywords, typed, junctors, shape]

/** Every violation under `node`, as `path: what`; empty when the schema is structural. */
export function structuralProblems(node: Node, path: string): string[] {
  const problems = CHECKS.flatMap((check) => check(node, path).map((p) => `${path}: ${p}`))
  const props = node['properties']
  if (isNode(props)) {
    for (const [name, child] of Object.entries(props)) {
      if (isNode(child)) problems.push(...structuralProblems(child, `${path}.${name}`))
      else problems.push(`${path}.${name}: not a schema`)
    }
  }
  const additional = node['additionalProperties']
  if (isNode(additional)) problems.push(...structuralProblems(additional, `${path}.*`))
  const items = node['items']
  if (isNode(items)) problems.push(...structuralProblems(items, `${path}[*]`))
  return problems
}

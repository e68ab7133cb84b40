/**
 * A small validator for the structural OpenAPI v3 schemas in crds/, doing what the API server does
 * with an object: type checks, enums, bounds, patterns, required fields, and pruning of fields the
 * schema does not declare. Enough to show that what zod accepts, the CRD accepts and keeps.
 */
import { isNode, type Node } from './structural-rules.js'

function typeProblem(schema: Node, value: unknown): string | undefined {
  if (schema['x-kubernetes-int-or-string'] === true) {
    return Number.isInteger(value) || typeof value === 'string'
      ? undefined
      : 'expected an integer or a string'
  }
  const type = schema['type']
  if (type === undefined) return undefined
  const ok =
    (type === 'string' && typeof value === 'string') ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'number' && typeof value === 'number') ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'object' && isNode(value))
  return ok ? undefined : `expected ${typeof type === 'string' ? type : JSON.stringify(type)}`
}

function boundProblems(schema: Node, value: unknown): string[] {
  const out: string[] = []
  const num = (k: string): number | undefined =>
    typeof schema[k] === 'number' ? schema[k] : undefined
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) out.push('not in enum')
  if (typeof value === 'number') {
    const min = num('minimum')
    const max = num('maximum')
    if (min !== undefined && (schema['exclusiveMinimum'] === true ? value <= min : value < min))
      out.push(`below minimum ${min}`)
    if (max !== undefined && (schema['exclusiveMaximum'] === true ? value >= max : value > max))
      out.push(`above maximum ${max}`)
  }
  if (typeof value === 'string') {
    const min = num('minLength')
    const max = num('maxLength')
    if (min !== undefined && value.length < min) out.push(`shorter than ${min}`)
    if (max !== undefined && value.length > max) out.push(`longer than ${max}`)
    const pattern = schema['pattern']
    if (typeof pattern === 'string' && !new RegExp(pattern).test(value))
      out.push(`does not match ${pattern}`)
  }
  if (Array.isArray(value)) {
    const min = num('minItems')
    if (min !== undefined && value.length < min) out.push(`fewer than ${min} items`)
  }
  return out
}

function objectProblems(schema: Node, value: Node, path: string): string[] {
  const out: string[] = []
  const props = isNode(schema['properties']) ? schema['properties'] : {}
  const additional = schema['additionalProperties']
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true
  for (const r of Array.isArray(schema['required']) ? schema['required'] : []) {
    if (!(String(r) in value)) out.push(`${path}.${String(r)}: required`)
  }
  for (const [key, child] of Object.entries(value)) {
    const sub = props[key]
    if (isNode(sub)) out.push(...openApiProblems(sub, child, `${path}.${key}`))
    else if (isNode(additional)) out.push(...openApiProblems(additional, child, `${path}.${key}`))
    else if (!preserve) out.push(`${path}.${key}: not in the schema, would be pruned`)
  }
  return out
}

/** Every way `value` fails `schema`, as `path: what`; empty when the API server would take it whole. */
export function openApiProblems(schema: Node, value: unknown, path = '$'): string[] {
  const typeIssue = typeProblem(schema, value)
  if (typeIssue !== undefined) return [`${path}: ${typeIssue}`]
  const out = boundProblems(schema, value).map((p) => `${path}: ${p}`)
  if (isNode(value) && schema['type'] === 'object') out.push(...objectProblems(schema, value, path))
  const items = schema['items']
  if (Array.isArray(value) && isNode(items)) {
    value.forEach((v, i) => out.push(...openApiProblems(items, v, `${path}[${i}]`)))
  }
  return out
}

import type { z } from 'zod'
import { parseAllDocuments } from 'yaml'
import { CanarySchema } from './canary.js'
import { MetricTemplateSchema } from './metric-template.js'
import { AlertProviderSchema } from './alert-provider.js'
import { TrafficSplitSchema } from './traffic-split.js'
import { HTTPRouteSchema } from './http-route.js'
import type { ValidationIssue } from '../util/errors.js'

/** The kinds fledge validates, with the schema for each. */
export const SCHEMAS = {
  Canary: CanarySchema,
  MetricTemplate: MetricTemplateSchema,
  AlertProvider: AlertProviderSchema,
  TrafficSplit: TrafficSplitSchema,
  HTTPRoute: HTTPRouteSchema,
} as const
export type KnownKind = keyof typeof SCHEMAS

/** One YAML document of a file, parsed but not yet validated. */
export interface RawDocument {
  /** Zero-based index of the document in its file. */
  readonly index: number
  /** 1-based line of the document's first content (after its `---` and leading comments). */
  readonly line: number
  readonly value: unknown
  /** YAML syntax errors, already formatted with line and column. */
  readonly errors: readonly string[]
}

/** Splits multi-document YAML; empty documents (a trailing `---`) are dropped. */
export function parseYamlDocuments(text: string): RawDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true })
  const list = Array.isArray(docs) ? docs : [docs]
  const out: RawDocument[] = []
  list.forEach((doc, index) => {
    // prettyErrors adds a code excerpt after the first line; keep the "at line L, column C" part.
    const errors = doc.errors.map((e) => (e.message.split('\n')[0] ?? e.message).replace(/:$/, ''))
    let value: unknown
    if (errors.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: 100 })
      } catch (err) {
        // An unresolved alias or an alias bomb only shows when the document is converted.
        errors.push(err instanceof Error ? err.message : String(err))
      }
    }
    if (errors.length === 0 && (value === null || value === undefined)) return
    const offset = doc.contents?.range[0] ?? doc.range[0]
    const line = text.slice(0, offset).split('\n').length
    out.push({ index, line, value, errors })
  })
  return out
}

/** Identity of a document for messages: `Canary/podinfo`, or what is known of it. */
export function describeDocument(value: unknown): string {
  if (!isRecord(value)) return 'document'
  const kind = typeof value['kind'] === 'string' ? value['kind'] : 'unknown kind'
  const meta = value['metadata']
  const name = isRecord(meta) && typeof meta['name'] === 'string' ? meta['name'] : '(no name)'
  return `${kind}/${name}`
}

export type ValidationResult<K extends KnownKind = KnownKind> =
  | { readonly ok: true; readonly kind: K; readonly value: z.infer<(typeof SCHEMAS)[K]> }
  | { readonly ok: false; readonly kind: string | undefined; readonly issues: ValidationIssue[] }
  | { readonly ok: 'skipped'; readonly kind: string; readonly reason: string }

/**
 * Validates one parsed document against the schema of its kind. Kinds fledge does not manage
 * (Deployments, Services, ...) are `skipped`, not errors, so a whole manifests directory validates.
 */
export function validateDocument(value: unknown): ValidationResult {
  if (!isRecord(value)) {
    return {
      ok: false,
      kind: undefined,
      issues: [
        {
          path: '',
          message: `expected a mapping with apiVersion and kind, found ${typeName(value)}`,
        },
      ],
    }
  }
  const kind = value['kind']
  if (typeof kind !== 'string') {
    return {
      ok: false,
      kind: undefined,
      issues: [{ path: 'kind', message: `expected a string, found ${typeName(kind)}` }],
    }
  }
  if (!(kind in SCHEMAS))
    return { ok: 'skipped', kind, reason: `kind ${kind} is not validated by fledge` }
  const known = kind as KnownKind
  const result = SCHEMAS[known].safeParse(value)
  if (result.success) return { ok: true, kind: known, value: result.data }
  return { ok: false, kind: known, issues: zodIssues(result.error, value) }
}

/** Turns zod issues into field-path issues that say what was expected and what was found. */
export function zodIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path)
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`,
      }
    }
    const found = valueAt(input, issue.path)
    const shown = found.present ? `; found ${preview(found.value)}` : '; found nothing (required)'
    if (/\bfound\b/.test(issue.message)) return { path, message: issue.message }
    // zod's category prefixes ("Invalid option: ", "Too big: ") repeat what the rest says.
    const message = issue.message
      .replace(/^(Invalid [a-z]+|Too big|Too small): /, '')
      .replace(/, received \w+$/, '')
    return { path, message: `${message}${shown}` }
  })
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? String(seg) : `.${String(seg)}`
  }
  return out
}

function valueAt(
  input: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value?: unknown } {
  let cur: unknown = input
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg]
    else if (isRecord(cur) && typeof seg === 'string' && seg in cur) cur = cur[seg]
    else return { present: false }
  }
  return cur === undefined ? { present: false } : { present: true, value: cur }
}

function preview(value: unknown): string {
  // JSON.stringify gives undefined for undefined, functions and symbols.
  const json = JSON.stringify(value) as string | undefined
  const text = json ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${preview(value)}`
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { parseYamlDocuments, validateDocument } from '../../../src/api/documents.js'
import type { ValidationIssue } from '../../../src/util/errors.js'

/** test/fixtures/manifests/, where the YAML fixtures live. */
export const MANIFESTS = fileURLToPath(new URL('../../fixtures/manifests/', import.meta.url))

/** The parsed documents of a fixture file, as plain data a test may mutate. */
export function loadDocs(relative: string): Record<string, unknown>[] {
  const docs = parseYamlDocuments(readFileSync(MANIFESTS + relative, 'utf8'))
  for (const d of docs) assert.deepEqual(d.errors, [], `${relative}: YAML errors`)
  return docs.map((d) => d.value as Record<string, unknown>)
}

/** One document of a fixture, deep-copied. */
export function loadDoc(relative: string, index = 0): Record<string, unknown> {
  const doc = loadDocs(relative)[index]
  assert.ok(doc, `${relative} has a document ${index}`)
  return structuredClone(doc)
}

/** The issues of a document that must be invalid. */
export function issuesOf(value: unknown): ValidationIssue[] {
  const result = validateDocument(value)
  if (result.ok !== false) assert.fail(`expected invalid, got ${JSON.stringify(result)}`)
  return result.issues
}

/** Walks to a nested field by dotted path with [i] indexes, for mutations in tables. */
export function at(root: unknown, path: string): Record<string, unknown> {
  let cur: unknown = root
  for (const seg of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg]
    assert.ok(typeof cur === 'object' && cur !== null, `no object at ${path} (${seg})`)
  }
  return cur as Record<string, unknown>
}

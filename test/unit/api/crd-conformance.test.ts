import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { renderCrds } from '../../../scripts/generate-crds.js'
import { parseYamlDocuments, validateDocument } from '../../../src/api/documents.js'
import { openApiProblems } from './openapi-check.js'
import { isNode, type Node } from './structural-rules.js'
import { at, loadDoc } from './fixtures.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The openAPIV3Schema of each kind's CRD, as the API server would get it. */
const schemas = new Map<string, Node>()
for (const text of renderCrds().values()) {
  const crd = parse(text) as {
    spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: Node } }[] }
  }
  const version = crd.spec.versions[0]
  assert.ok(version)
  schemas.set(crd.spec.names.kind, version.schema.openAPIV3Schema)
}

/** What the API server would say about a resource: ObjectMeta is its own business, so it is left out. */
function serverProblems(doc: Node): string[] {
  const schema = schemas.get(String(doc['kind']))
  assert.ok(schema, `a CRD for ${String(doc['kind'])}`)
  const rest = { ...doc }
  delete rest['metadata']
  return openApiProblems(schema, rest)
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return yamlFiles(path)
    return /\.ya?ml$/.test(e.name) ? [path] : []
  })
}

describe('the CRD schemas agree with the zod schemas', () => {
  const sources = [join(ROOT, 'test/fixtures/manifests/valid'), join(ROOT, 'examples')]
  const resources = sources
    .flatMap(yamlFiles)
    .flatMap((file) =>
      parseYamlDocuments(readFileSync(file, 'utf8')).map((d) => ({
        where: `${relative(ROOT, file)}#${d.index}`,
        value: d.value,
      })),
    )
    .filter((r) => isNode(r.value) && schemas.has(String(r.value['kind'])))

  it('finds resources to check', () => {
    assert.ok(resources.length >= 15, `${resources.length} resources`)
  })

  it('takes every valid manifest whole: nothing rejected, nothing pruned', () => {
    for (const { where, value } of resources) {
      assert.equal(validateDocument(value).ok, true, `${where} is valid for zod`)
      assert.deepEqual(serverProblems(value as Node), [], `${where} for the API server`)
    }
  })

  it('takes a full status', () => {
    const doc = loadDoc('valid/blue-green.yaml')
    doc['status'] = {
      phase: 'Progressing',
      canaryWeight: 12.5,
      failedChecks: 0,
      conditions: [{ type: 'Promoted', status: 'Unknown', reason: 'Progressing' }],
      stepStartedAt: '2026-01-01T00:00:00Z',
      measurements: [
        { metric: 'request-success-rate', outcome: 'Successful', value: 99.9, at: 't' },
      ],
    }
    assert.equal(validateDocument(doc).ok, true)
    assert.deepEqual(serverProblems(doc), [])
  })

  const rejected: [what: string, mutate: (d: Node) => void, problem: RegExp][] = [
    [
      'a port given as a string',
      (d) => (at(d, 'spec.service')['port'] = '80'),
      /\.spec\.service\.port: expected integer/,
    ],
    [
      'an unknown field',
      (d) => (at(d, 'spec.analysis')['stepWeigth'] = 5),
      /\.spec\.analysis\.stepWeigth: not in the schema/,
    ],
    [
      'an unknown provider',
      (d) => (at(d, 'spec')['provider'] = 'linkerd2'),
      /\.spec\.provider: not in enum/,
    ],
    [
      'a malformed interval',
      (d) => (at(d, 'spec.analysis')['interval'] = '30 seconds'),
      /\.spec\.analysis\.interval: does not match/,
    ],
    [
      'a weight over 100',
      (d) => (at(d, 'spec.analysis')['maxWeight'] = 101),
      /\.spec\.analysis\.maxWeight: above maximum 100/,
    ],
    [
      'a stepWeight of 0',
      (d) => (at(d, 'spec.analysis')['stepWeight'] = 0),
      /\.spec\.analysis\.stepWeight: below minimum 0/,
    ],
    [
      'a missing targetRef',
      (d) => delete at(d, 'spec')['targetRef'],
      /\.spec\.targetRef: required/,
    ],
    [
      'a targetPort that is neither',
      (d) => (at(d, 'spec.service')['targetPort'] = true),
      /targetPort: expected an integer or a string/,
    ],
  ]
  for (const [what, mutate, problem] of rejected) {
    it(`rejects ${what}, as zod does`, () => {
      const doc = loadDoc('valid/podinfo-linkerd.yaml')
      mutate(doc)
      assert.notEqual(validateDocument(doc).ok, true, 'zod rejects it')
      const problems = serverProblems(doc)
      assert.ok(
        problems.some((p) => problem.test(p)),
        `expected ${String(problem)} in ${JSON.stringify(problems)}`,
      )
    })
  }
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { CRD_DIR, HEADER, jsonSchemaOf, renderCrds } from '../../../scripts/generate-crds.js'
import { StructuralSchemaError, toStructural } from '../../../scripts/crds/structural.js'
import { DESCRIPTIONS, nodeAtPath } from '../../../scripts/crds/descriptions.js'
import { parseDuration } from '../../../src/util/duration.js'
import { isNode, structuralProblems, type Node } from './structural-rules.js'

interface Crd {
  apiVersion: string
  kind: string
  metadata: { name: string }
  spec: {
    group: string
    scope: string
    names: {
      kind: string
      plural: string
      singular: string
      shortNames: string[]
      categories: string[]
    }
    versions: {
      name: string
      served: boolean
      storage: boolean
      subresources?: { status?: Node }
      additionalPrinterColumns: {
        name: string
        type: string
        jsonPath: string
        priority?: number
      }[]
      schema: { openAPIV3Schema: Node }
    }[]
  }
}

const rendered = renderCrds()
const crds = new Map([...rendered].map(([file, text]) => [file, parse(text) as Crd]))

function crd(file: string): Crd {
  const c = crds.get(file)
  assert.ok(c, file)
  return c
}

/** The schema node a printer column's simple `.a.b.c` path points at. */
function nodeAt(root: Node, jsonPath: string): Node | undefined {
  let cur: Node | undefined = root
  for (const seg of jsonPath.split('.').slice(1)) {
    const props: unknown = cur?.['properties']
    cur = isNode(props) && isNode(props[seg]) ? props[seg] : undefined
  }
  return cur
}

describe('crds/', () => {
  it('is up to date with the zod schemas (run `npm run crds` if this fails)', () => {
    const onDisk = readdirSync(CRD_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
    assert.deepEqual(onDisk, [...rendered.keys()].sort(), 'the files under crds/')
    for (const [file, text] of rendered) {
      const current = readFileSync(join(CRD_DIR, file), 'utf8')
      assert.ok(
        current === text,
        `crds/${file} is stale: run \`npm run crds\` and commit the result`,
      )
    }
  })

  it('starts every file with the generated-file notice', () => {
    for (const text of rendered.values()) {
      assert.ok(text.startsWith(HEADER))
      assert.match(text, /Do not edit/)
      assert.match(text, /npm run crds/)
    }
  })

  it('declares fledge.dev/v1beta1, namespaced, served and stored, in category all', () => {
    const expected = [
      ['canary.yaml', 'Canary', 'canaries', 'canary'],
      ['metrictemplate.yaml', 'MetricTemplate', 'metrictemplates', 'metrictemplate'],
      ['alertprovider.yaml', 'AlertProvider', 'alertproviders', 'alertprovider'],
    ] as const
    for (const [file, kind, plural, singular] of expected) {
      const c = crd(file)
      assert.equal(c.apiVersion, 'apiextensions.k8s.io/v1')
      assert.equal(c.kind, 'CustomResourceDefinition')
      assert.equal(c.metadata.name, `${plural}.fledge.dev`)
      assert.equal(c.spec.group, 'fledge.dev')
      assert.equal(c.spec.scope, 'Namespaced')
      assert.equal(c.spec.names.kind, kind)
      assert.equal(c.spec.names.plural, plural)
      assert.equal(c.spec.names.singular, singular)
      assert.ok(c.spec.names.shortNames.length > 0)
      assert.deepEqual(c.spec.names.categories, ['all'])
      assert.equal(c.spec.versions.length, 1)
      const v = c.spec.versions[0]!
      assert.equal(v.name, 'v1beta1')
      assert.equal(v.served, true)
      assert.equal(v.storage, true)
    }
  })

  it('gives Canary a status subresource and the printer columns', () => {
    const [v] = crd('canary.yaml').spec.versions
    assert.ok(v)
    assert.deepEqual(v.subresources, { status: {} })
    const byName = new Map(v.additionalPrinterColumns.map((c) => [c.name, c]))
    for (const [name, path] of [
      ['Status', '.status.phase'],
      ['Weight', '.status.canaryWeight'],
      ['FailedChecks', '.status.failedChecks'],
      ['LastTransitionTime', '.status.lastTransitionTime'],
    ] as const) {
      assert.equal(byName.get(name)?.jsonPath, path)
      assert.equal(byName.get(name)?.priority, undefined, `${name} shows without -o wide`)
    }
    for (const name of [
      'Suspended',
      'Interval',
      'Mirror',
      'StepWeight',
      'StepWeights',
      'MaxWeight',
    ]) {
      assert.equal(byName.get(name)?.priority, 1, `${name} is a wide column`)
    }
  })

  it('points every printer column at a field of the schema, with a matching type', () => {
    for (const [file, c] of crds) {
      for (const v of c.spec.versions) {
        for (const col of v.additionalPrinterColumns) {
          if (col.jsonPath === '.metadata.creationTimestamp') continue
          const node = nodeAt(v.schema.openAPIV3Schema, col.jsonPath)
          assert.ok(node, `${file}: column ${col.name} → ${col.jsonPath} exists`)
          const type = node['type']
          const compatible =
            col.type === type ||
            (col.type === 'number' && type === 'integer') ||
            (col.type === 'string' && (type === 'array' || type === 'string'))
          assert.ok(
            compatible,
            `${file}: column ${col.name} (${col.type}) vs field ${String(type)}`,
          )
        }
      }
    }
    const mt = crd('metrictemplate.yaml').spec.versions[0]!.additionalPrinterColumns
    assert.deepEqual(mt[0], { name: 'Provider', type: 'string', jsonPath: '.spec.provider.type' })
    const ap = crd('alertprovider.yaml').spec.versions[0]!.additionalPrinterColumns
    assert.deepEqual(ap[0], { name: 'Type', type: 'string', jsonPath: '.spec.type' })
  })

  it('has structural schemas: every node typed, no forbidden keywords', () => {
    for (const [file, c] of crds) {
      for (const v of c.spec.versions) {
        const root = v.schema.openAPIV3Schema
        assert.deepEqual(structuralProblems(root, `${file}:$`), [])
        assert.equal(root['type'], 'object')
        const props = root['properties'] as Node
        // Only name and generateName may be constrained under metadata.
        assert.deepEqual(props['metadata'], { type: 'object' })
        assert.deepEqual(root['required'], ['spec'])
      }
    }
  })

  it('keeps enums, required fields and the int-or-string union', () => {
    const root = crd('canary.yaml').spec.versions[0]!.schema.openAPIV3Schema
    const provider = nodeAt(root, '.spec.provider')
    assert.ok(Array.isArray(provider?.['enum']) && provider['enum'].includes('linkerd'))
    assert.deepEqual(nodeAt(root, '.spec')?.['required'], ['targetRef', 'service'])
    assert.deepEqual(nodeAt(root, '.spec.service')?.['required'], ['port'])
    assert.equal(nodeAt(root, '.spec.service.targetPort')?.['x-kubernetes-int-or-string'], true)
    const phase = nodeAt(root, '.status.phase')
    assert.ok(Array.isArray(phase?.['enum']) && phase['enum'].includes('Succeeded'))
    // Free-form Istio/Gateway API pass-through objects are kept, not pruned.
    assert.equal(
      nodeAt(root, '.spec.service.trafficPolicy')?.['x-kubernetes-preserve-unknown-fields'],
      true,
    )
    // Maps keep their value schema.
    assert.deepEqual(
      nodeAt(root, '.spec.analysis.metrics'),
      nodeAt(root, '.spec.canaryAnalysis.metrics'),
    )
  })

  it('describes every field of spec, spec.analysis and status for kubectl explain', () => {
    const described: [string, string[]][] = [
      ['canary.yaml', ['spec', 'spec.analysis', 'spec.canaryAnalysis', 'status']],
      ['metrictemplate.yaml', ['spec', 'spec.provider']],
      ['alertprovider.yaml', ['spec']],
    ]
    for (const [file, parents] of described) {
      const root = crd(file).spec.versions[0]!.schema.openAPIV3Schema
      for (const parent of parents) {
        const props = nodeAt(root, `.${parent}`)?.['properties']
        assert.ok(isNode(props), `${file}: ${parent}`)
        for (const [name, node] of Object.entries(props)) {
          const description = isNode(node) ? node['description'] : undefined
          assert.ok(
            typeof description === 'string' && description.length > 0,
            `${file}: ${parent}.${name} has no description (scripts/crds/descriptions.ts)`,
          )
        }
      }
    }
    for (const [kind, paths] of Object.entries(DESCRIPTIONS)) {
      const file = `${kind.toLowerCase()}.yaml`
      const root = crd(file).spec.versions[0]!.schema.openAPIV3Schema
      for (const path of Object.keys(paths)) {
        assert.equal(nodeAtPath(root, path)?.['description'], paths[path], `${kind} ${path}`)
      }
    }
  })

  it('gives durations a pattern that agrees with the duration parser', () => {
    const root = crd('canary.yaml').spec.versions[0]!.schema.openAPIV3Schema
    const interval = nodeAt(root, '.spec.analysis.interval')
    const re = new RegExp(String(interval?.['pattern']))
    const parses = (s: string): boolean => {
      try {
        parseDuration(s)
        return true
      } catch {
        return false
      }
    }
    for (const s of [
      '30s',
      '1m',
      '1h30m',
      '500ms',
      '1.5s',
      '60',
      '2m0s',
      '',
      's',
      '1x',
      '-1s',
      '1m30',
      'm1',
    ]) {
      assert.equal(re.test(s), parses(s), `pattern and parser agree on ${JSON.stringify(s)}`)
    }
  })
})

describe('toStructural', () => {
  it('turns records into additionalProperties and loose objects into preserved fields', () => {
    const s = jsonSchemaOf(
      z.strictObject({
        labels: z.record(z.string(), z.string()),
        extra: z.looseObject({ a: z.string() }),
        anything: z.unknown(),
        strict: z.strictObject({ b: z.number().int() }),
        empty: z.strictObject({}),
      }),
    )
    const props = s['properties'] as Node
    assert.deepEqual(props['labels'], { type: 'object', additionalProperties: { type: 'string' } })
    assert.deepEqual(props['extra'], {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { a: { type: 'string' } },
      required: ['a'],
    })
    assert.deepEqual(props['anything'], { 'x-kubernetes-preserve-unknown-fields': true })
    assert.deepEqual(props['strict'], {
      type: 'object',
      properties: { b: { type: 'integer' } },
      required: ['b'],
    })
    assert.deepEqual(props['empty'], {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    })
    assert.equal(s['additionalProperties'], undefined)
  })

  it('maps number|string unions to int-or-string and exclusive bounds to OpenAPI booleans', () => {
    const s = jsonSchemaOf(
      z.strictObject({ port: z.union([z.number(), z.string()]), w: z.number().gt(0) }),
    )
    const props = s['properties'] as Node
    assert.deepEqual(props['port'], {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    })
    assert.deepEqual(props['w'], { type: 'number', minimum: 0, exclusiveMinimum: true })
  })

  it('refuses what has no structural form, naming the field', () => {
    const cases: [z.ZodType, RegExp][] = [
      [z.strictObject({ u: z.union([z.string(), z.boolean()]) }), /\$\.u: union/],
      [z.strictObject({ n: z.string().nullable() }), /\$\.n/],
      [z.strictObject({ r: z.string().regex(/^(?!x)/) }), /\$\.r: pattern/],
    ]
    for (const [schema, message] of cases) {
      assert.throws(() => jsonSchemaOf(schema), message)
    }
    assert.throws(() => toStructural({ type: 'array' }), StructuralSchemaError)
    assert.throws(() => toStructural({ properties: {} }), /no type/)
    assert.throws(() => toStructural({ type: 'string', $ref: '#/x' }), /"\$ref"/)
    assert.throws(
      () =>
        toStructural({
          type: 'object',
          properties: { a: { type: 'string' } },
          additionalProperties: { type: 'string' },
        }),
      /additionalProperties/,
    )
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SMI_VERSIONS, TrafficSplitSchema, splitBackends } from '../../../src/api/traffic-split.js'
import { validateDocument } from '../../../src/api/documents.js'
import { issuesOf } from './fixtures.js'

function split(version: string, backends: unknown[], extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: `split.smi-spec.io/${version}`,
    kind: 'TrafficSplit',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: { service: 'podinfo', backends, ...extra },
  }
}

const primaryCanary = (p: unknown, c: unknown): unknown[] => [
  { service: 'podinfo-primary', weight: p },
  { service: 'podinfo-canary', weight: c },
]

describe('TrafficSplit weights', () => {
  const valid: [version: string, primary: unknown, canary: unknown, milli: [number, number]][] = [
    ['v1alpha1', '900m', '100m', [900, 100]],
    ['v1alpha1', '1', '0', [1000, 0]],
    ['v1alpha1', 90, 10, [900, 100]],
    ['v1alpha1', '0.5', '500m', [500, 500]],
    ['v1alpha2', 90, 10, [900, 100]],
    ['v1alpha2', '90', '10', [900, 100]],
    ['v1alpha3', 1, 1, [500, 500]],
    ['v1alpha4', 0, 100, [0, 1000]],
    ['v1alpha4', 2, 1, [667, 333]],
    ['v1alpha4', 0, 0, [0, 0]],
  ]
  for (const [version, p, c, milli] of valid) {
    it(`${version}: ${JSON.stringify(p)}/${JSON.stringify(c)} is ${milli.join('/')} milli`, () => {
      const ts = TrafficSplitSchema.parse(split(version, primaryCanary(p, c)))
      assert.deepEqual(
        splitBackends(ts).map((b) => b.weight),
        milli,
      )
      assert.deepEqual(
        splitBackends(ts).map((b) => b.service),
        ['podinfo-primary', 'podinfo-canary'],
      )
    })
  }

  it('takes a missing weight as 0, as SMI v1alpha2 omitempty wrote it', () => {
    const ts = TrafficSplitSchema.parse(
      split('v1alpha2', [
        { service: 'podinfo-primary', weight: 100 },
        { service: 'podinfo-canary' },
      ]),
    )
    assert.deepEqual(
      splitBackends(ts).map((b) => b.weight),
      [1000, 0],
    )
  })

  const invalid: [what: string, doc: unknown, path: string, message: RegExp][] = [
    [
      'a quantity on v1alpha2',
      split('v1alpha2', primaryCanary('900m', 100)),
      'spec.backends[0].weight',
      /v1alpha2 weights are whole numbers \(quantities such as 900m are v1alpha1\); found "900m"/,
    ],
    [
      'a decimal on v1alpha4',
      split('v1alpha4', primaryCanary(90, 10.5)),
      'spec.backends[1].weight',
      /whole numbers.*; found 10\.5$/,
    ],
    [
      'a percent sign',
      split('v1alpha1', primaryCanary('90%', '100m')),
      'spec.backends[0].weight',
      /non-negative number or quantity.*; found "90%"/,
    ],
    [
      'a negative weight',
      split('v1alpha1', primaryCanary(-1, 1)),
      'spec.backends[0].weight',
      /non-negative.*; found -1$/,
    ],
    [
      'matches on v1alpha2',
      split('v1alpha2', primaryCanary(1, 1), { matches: [{ kind: 'HTTPRouteGroup', name: 'x' }] }),
      'spec.matches',
      /needs split\.smi-spec\.io\/v1alpha3 or later; found split\.smi-spec\.io\/v1alpha2$/,
    ],
    [
      'matches on v1alpha1',
      split('v1alpha1', primaryCanary(1, 1), { matches: [] }),
      'spec.matches',
      /v1alpha3 or later/,
    ],
    [
      'duplicate backends',
      split('v1alpha3', [
        { service: 'a', weight: 1 },
        { service: 'b', weight: 1 },
        { service: 'a', weight: 1 },
      ]),
      'spec.backends[2].service',
      /backend "a" is listed twice; found it at backends\[0\] too/,
    ],
    ['no backends', split('v1alpha2', []), 'spec.backends', />=1 items; found \[\]/],
    [
      'a match without a name',
      split('v1alpha3', primaryCanary(1, 1), { matches: [{ kind: 'HTTPRouteGroup' }] }),
      'spec.matches[0].name',
      /found nothing \(required\)/,
    ],
    [
      'an unknown version',
      split('v1beta1', primaryCanary(1, 1)),
      'apiVersion',
      /split\.smi-spec\.io\/v1alpha4"; found "split\.smi-spec\.io\/v1beta1"/,
    ],
    [
      'an unknown backend field',
      split('v1alpha2', [{ service: 'a', weight: 1, port: 80 }]),
      'spec.backends[0]',
      /unknown field "port"/,
    ],
  ]
  for (const [what, doc, path, message] of invalid) {
    it(`rejects ${what} at ${path}`, () => {
      const issues = issuesOf(doc)
      assert.equal(issues.length, 1, JSON.stringify(issues))
      const [issue] = issues
      assert.ok(issue)
      assert.equal(issue.path, path)
      assert.match(issue.message, message)
    })
  }

  it('knows the four SMI versions', () => {
    assert.deepEqual([...SMI_VERSIONS], ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'])
    for (const v of SMI_VERSIONS) {
      assert.equal(validateDocument(split(v, primaryCanary(1, 0))).ok, true, v)
    }
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { composeRoutes, weightsIn, type CanaryRoute } from '../../../src/platform/local/routing.js'
import type { TrafficSplit } from '../../../src/api/traffic-split.js'

const ep = (port: number) => [{ ip: '127.0.0.1', port }]

function booksRoute(weights: CanaryRoute['weights']): CanaryRoute {
  return {
    apex: 'books',
    namespace: 'default',
    primary: { service: 'books-primary', deployment: 'books-primary', endpoints: ep(1) },
    canary: { service: 'books-canary', deployment: 'books', endpoints: ep(2) },
    weights,
  }
}

const errorSplit: TrafficSplit = {
  apiVersion: 'split.smi-spec.io/v1alpha1',
  kind: 'TrafficSplit',
  metadata: { name: 'error-split' },
  spec: {
    service: 'books',
    backends: [
      { service: 'books', weight: '900m' },
      { service: 'error-injector', weight: '100m' },
    ],
  },
}

describe('local routing composition', () => {
  it('gives a canaried apex a split between -primary and -canary by the Canary weights', () => {
    const r = composeRoutes([], [booksRoute({ primary: 800, canary: 200, mirror: false })], [])
    assert.deepEqual(r.splits, [
      {
        name: 'books',
        namespace: 'default',
        service: 'books',
        backends: [
          { service: 'books-primary', weight: 800 },
          { service: 'books-canary', weight: 200 },
        ],
      },
    ])
    assert.deepEqual(r.services.map((s) => `${s.name}:${s.deployment}`).sort(), [
      'books-canary:books',
      'books-primary:books-primary',
      'books:books-primary',
    ])
  })

  it('leaves the apex alone until the Canary has weights', () => {
    const plain = [{ name: 'books', endpoints: ep(9), deployment: 'books', namespace: 'default' }]
    const r = composeRoutes(plain, [booksRoute(undefined)], [])
    assert.equal(r.splits.length, 0)
    assert.deepEqual(r.services.find((s) => s.name === 'books')?.endpoints, ep(9))
  })

  it('wraps the canary split in a user TrafficSplit on the same apex (fault injection during a rollout)', () => {
    const r = composeRoutes(
      [],
      [booksRoute({ primary: 750, canary: 250, mirror: false })],
      [errorSplit],
    )
    const split = r.splits.find((s) => s.service === 'books')
    assert.equal(split?.name, 'error-split')
    const total = split.backends.reduce((a, b) => a + b.weight, 0)
    const share = (svc: string) => split.backends.find((b) => b.service === svc)!.weight / total
    assert.ok(Math.abs(share('error-injector') - 0.1) < 1e-9)
    assert.ok(Math.abs(share('books-primary') - 0.9 * 0.75) < 1e-9)
    assert.ok(Math.abs(share('books-canary') - 0.9 * 0.25) < 1e-9)
    assert.deepEqual(weightsIn(split, booksRoute(undefined)), { primary: 750, canary: 250 })
  })

  it('applies a user split as is where no Canary is involved', () => {
    const r = composeRoutes(
      [{ name: 'books', endpoints: ep(9), deployment: 'books', namespace: 'default' }],
      [],
      [errorSplit],
    )
    assert.deepEqual(r.splits[0]?.backends, [
      { service: 'books', weight: 900_000 },
      { service: 'error-injector', weight: 100_000 },
    ])
  })

  it('reads back the canary share of a split, or nothing without one', () => {
    assert.equal(weightsIn(undefined, booksRoute(undefined)), undefined)
    assert.deepEqual(weightsIn({ backends: [] }, booksRoute(undefined)), { primary: 0, canary: 0 })
  })
})

describe('args expansion', () => {
  it('expands $(VAR) from the environment, as Kubernetes does', async () => {
    const { expandVars } = await import('../../../src/platform/local/runner.js')
    assert.equal(expandVars('127.0.0.1:$(PORT)', { PORT: '8080' }), '127.0.0.1:8080')
    assert.equal(expandVars('$$(PORT)', { PORT: '8080' }), '$(PORT)')
    assert.equal(expandVars('$(NOPE)-$(PORT)', { PORT: '1' }), '$(NOPE)-1')
  })
})

describe('weights the data plane can apply', () => {
  it('sends a canary share to the primary while the canary has no ready replica', async () => {
    const { effectiveWeights } = await import('../../../src/platform/local/cluster.js')
    const w = { primary: 700, canary: 300, mirror: false }
    assert.deepEqual(effectiveWeights(w, true, true), w)
    assert.deepEqual(effectiveWeights(w, true, false), { primary: 1000, canary: 0, mirror: false })
    assert.equal(effectiveWeights(w, false, true), undefined, 'no split until the primary serves')
    assert.equal(effectiveWeights(undefined, true, true), undefined)
    const idle = { primary: 1000, canary: 0, mirror: false }
    assert.equal(effectiveWeights(idle, true, false), idle)
  })
})

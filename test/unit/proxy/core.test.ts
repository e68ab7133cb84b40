import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { Attempt, ProxyCore } from '../../../src/proxy/core.js'
import { DEFAULT_SETTINGS } from '../../../src/proxy/config-schema.js'
import { ProxyMetrics } from '../../../src/proxy/metrics.js'
import { TapBus } from '../../../src/proxy/tap.js'
import { buildRouteTable, EMPTY_TABLE } from '../../../src/proxy/route-table.js'

function core(settings = DEFAULT_SETTINGS, now = () => 0): ProxyCore {
  return new ProxyCore({
    settings,
    metrics: new ProxyMetrics(new Registry(), 'default'),
    tap: new TapBus(),
    now,
  })
}

const table = buildRouteTable({
  services: [
    { name: 'books', endpoints: [{ ip: '10.0.0.1', port: 80, weight: 1 }] },
    { name: 'books-canary', endpoints: [{ ip: '10.0.0.2', port: 80, weight: 1 }] },
  ],
  splits: [
    {
      name: 's',
      service: 'books',
      backends: [
        { service: 'books', weight: 500 },
        { service: 'books-canary', weight: 500 },
      ],
    },
  ],
}).table

describe('proxy core', () => {
  it('keeps serving a routed request from its snapshot after a swap', () => {
    const c = core()
    c.swap(table)
    const route = c.resolve('books:7002')
    assert.ok(route !== undefined)
    c.swap(EMPTY_TABLE)
    assert.equal(c.resolve('books'), undefined)
    const a = c.attempt(route)
    assert.ok(a instanceof Attempt)
    assert.ok(['10.0.0.1:80', '10.0.0.2:80'].includes(a.endpoint.key))
    a.end({ status: 200 })
  })

  it('keeps endpoint state (load, breaker) across tables that keep the endpoint', () => {
    const c = core({ ...DEFAULT_SETTINGS, breakerFailures: 1 })
    c.swap(table)
    const r1 = c.resolve('books-canary')
    assert.ok(r1 !== undefined)
    const a = c.attempt(r1)
    assert.ok(a instanceof Attempt)
    a.end({ status: 500 })
    c.swap(buildRouteTable({ services: [...table.services.values()], splits: [] }, table).table)
    const r2 = c.resolve('books-canary')
    assert.ok(r2 !== undefined)
    assert.deepEqual(c.attempt(r2), { unavailable: 'books-canary' })
  })

  it('fails fast on a tripped backend by default, and fails over with skipUnavailableBackends', () => {
    for (const skip of [false, true]) {
      const c = core({ ...DEFAULT_SETTINGS, breakerFailures: 1, skipUnavailableBackends: skip })
      c.swap(table)
      const route = c.resolve('books')
      assert.ok(route !== undefined)
      // Trip the canary.
      for (;;) {
        const a = c.attempt(route)
        assert.ok(a instanceof Attempt)
        const canary = a.target.backend === 'books-canary'
        a.end({ status: canary ? 503 : 200 })
        if (canary) break
      }
      const outcomes = new Set<string>()
      for (let i = 0; i < 50; i++) {
        const a = c.attempt(route)
        if (a instanceof Attempt) {
          outcomes.add(a.target.backend)
          a.end({ status: 200 })
        } else outcomes.add(`unavailable:${a.unavailable}`)
      }
      assert.deepEqual(
        [...outcomes].sort(),
        skip ? ['books'] : ['books', 'unavailable:books-canary'],
      )
    }
  })
})

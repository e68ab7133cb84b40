import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_SETTINGS,
  ProxyConfigSchema,
  resolveSettings,
} from '../../../src/proxy/config-schema.js'

describe('proxy config', () => {
  it("defaults to Linkerd's resilience settings", () => {
    const s = resolveSettings(undefined)
    assert.equal(s, s)
    assert.deepEqual(
      [s.requestTimeoutMs, s.budgetRatio, s.budgetMinPerSecond, s.budgetTtlMs, s.retryMaxBodyBytes],
      [10_000, 0.2, 10, 10_000, 65_536],
    )
    assert.deepEqual(
      [s.breakerFailures, s.breakerMinPenaltyMs, s.breakerMaxPenaltyMs, s.breakerJitter],
      [7, 1000, 60_000, 0.5],
    )
    assert.deepEqual([s.defaultRttMs, s.decayMs], [30, 10_000])
    assert.deepEqual(s, DEFAULT_SETTINGS)
  })

  it('applies a config file over the defaults', () => {
    const c = ProxyConfigSchema.parse({
      timeouts: { request: '2s', header: '500ms' },
      retries: { on: ['5xx'], budget: { ratio: 0.1 } },
      breaker: { consecutiveFailures: 3 },
      services: { books: { endpoints: [{ ip: '127.0.0.1', port: 7002 }], deployment: 'books-v2' } },
    })
    const s = resolveSettings(c)
    assert.deepEqual(
      [s.requestTimeoutMs, s.headerTimeoutMs, s.retryOn, s.budgetRatio, s.breakerFailures],
      [2000, 500, ['5xx'], 0.1, 3],
    )
  })

  it('rejects unknown fields and bad values with their paths', () => {
    const r = ProxyConfigSchema.safeParse({ timeouts: { request: 'soon' }, retries: { tries: 3 } })
    assert.equal(r.success, false)
    const paths = r.error.issues.map((i) => i.path.join('.')).sort()
    assert.deepEqual(paths, ['retries', 'timeouts.request'])
  })
})

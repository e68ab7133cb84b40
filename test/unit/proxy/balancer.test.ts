import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EndpointState, pickEndpoint } from '../../../src/proxy/balancer.js'

const opts = { defaultRttMs: 30, decayMs: 10_000 }
const breaker = { failures: 2, minPenaltyMs: 1000, maxPenaltyMs: 60_000, jitter: 0 }
const ep = (port: number, weight = 1) =>
  new EndpointState({ ip: '10.0.0.1', port, weight }, opts, breaker, 0)

/** A deterministic sequence of "random" numbers. */
function seq(values: number[]): () => number {
  let i = 0
  return () => values[i++ % values.length] ?? 0
}

describe('peak EWMA', () => {
  it('starts at the default RTT, jumps up to a slower sample and decays toward faster ones', () => {
    const e = ep(1)
    assert.equal(e.rtt(0), 30)
    e.observe(200, 0)
    assert.equal(e.rtt(0), 200)
    e.observe(10, 10_000)
    // One decay constant later: 200·e⁻¹ + 10·(1 − e⁻¹)
    assert.ok(Math.abs(e.rtt(10_000) - (200 * Math.exp(-1) + 10 * (1 - Math.exp(-1)))) < 1e-9)
    // With no samples the estimate keeps decaying toward zero.
    assert.ok(e.rtt(100_000) < 1)
  })

  it('weighs cost by requests in flight and endpoint weight', () => {
    const e = ep(1, 2)
    assert.equal(e.cost(0), 15)
    e.pending = 3
    assert.equal(e.cost(0), 60)
  })
})

describe('power of two choices', () => {
  it('sends to the cheaper of the two candidates', () => {
    const fast = ep(1)
    const slow = ep(2)
    slow.observe(500, 0)
    let fastPicks = 0
    const rand = seq([0.1, 0.2, 0.6, 0.4, 0.9, 0.0])
    for (let i = 0; i < 100; i++)
      if (pickEndpoint([fast, slow], 0, rand)?.endpoint === fast) fastPicks++
    assert.equal(fastPicks, 100)
  })

  it('spreads load when costs are equal and avoids a loaded endpoint', () => {
    const eps = [ep(1), ep(2), ep(3)]
    eps[0]!.pending = 50
    const counts = new Map<EndpointState, number>()
    for (let i = 0; i < 3000; i++) {
      const p = pickEndpoint(eps, 0, Math.random)!
      counts.set(p.endpoint, (counts.get(p.endpoint) ?? 0) + 1)
    }
    // The loaded endpoint only wins when it is drawn twice, which P2C never does (distinct picks).
    assert.equal(counts.get(eps[0]!) ?? 0, 0)
    assert.ok((counts.get(eps[1]!) ?? 0) > 1000 && (counts.get(eps[2]!) ?? 0) > 1000)
  })

  it('skips endpoints whose breaker is open and returns undefined when none is left', () => {
    const a = ep(1)
    const b = ep(2)
    a.breaker.failure(0, 0)
    a.breaker.failure(0, 0)
    for (let i = 0; i < 20; i++) assert.equal(pickEndpoint([a, b], 10, Math.random)?.endpoint, b)
    b.breaker.failure(0, 0)
    b.breaker.failure(0, 0)
    assert.equal(pickEndpoint([a, b], 10, Math.random), undefined)
    // After the penalty, one probe is admitted.
    const probe = pickEndpoint([a], 1000, Math.random)
    assert.equal(probe?.admission, 'probe')
    assert.equal(pickEndpoint([a], 1000, Math.random), undefined)
  })

  it('prefers another endpoint for a retry but reuses the only one', () => {
    const a = ep(1)
    const b = ep(2)
    for (let i = 0; i < 20; i++) assert.equal(pickEndpoint([a, b], 0, Math.random, a)?.endpoint, b)
    assert.equal(pickEndpoint([a], 0, Math.random, a)?.endpoint, a)
  })
})

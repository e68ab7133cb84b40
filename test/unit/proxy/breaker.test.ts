import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Breaker } from '../../../src/proxy/breaker.js'

describe('circuit breaker', () => {
  const make = (jitter = 0) =>
    new Breaker({ failures: 3, minPenaltyMs: 1000, maxPenaltyMs: 5000, jitter })

  it('opens after N consecutive failures; a success in between resets the count', () => {
    const b = make()
    b.failure(0, 0)
    b.failure(0, 0)
    b.success()
    b.failure(0, 0)
    b.failure(0, 0)
    assert.equal(b.state, 'closed')
    b.failure(0, 0)
    assert.equal(b.state, 'open')
    assert.equal(b.admit(999), 'denied')
    assert.equal(b.available(999), false)
  })

  it('admits exactly one probe after the penalty; success closes', () => {
    const b = make()
    for (let i = 0; i < 3; i++) b.failure(0, 0)
    assert.equal(b.admit(1000), 'probe')
    assert.equal(b.state, 'probing')
    assert.equal(b.admit(1001), 'denied')
    b.success()
    assert.equal(b.state, 'closed')
    assert.equal(b.admit(1002), 'ok')
  })

  it('doubles the penalty after each failed probe, up to the maximum', () => {
    const b = make()
    for (let i = 0; i < 3; i++) b.failure(0, 0)
    const penalties: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = b.openUntil
      assert.equal(b.admit(t), 'probe')
      b.failure(t, 0)
      penalties.push(b.openUntil - t)
    }
    assert.deepEqual(penalties, [2000, 4000, 5000, 5000, 5000])
    // After a success the next trip starts from the minimum again.
    assert.equal(b.admit(b.openUntil), 'probe')
    b.success()
    for (let i = 0; i < 3; i++) b.failure(100_000, 0)
    assert.equal(b.openUntil - 100_000, 1000)
  })

  it('adds jitter of up to the ratio', () => {
    const b = make(0.5)
    for (let i = 0; i < 3; i++) b.failure(0, 0.999)
    assert.ok(b.openUntil > 1490 && b.openUntil < 1500)
  })

  it('lets the next request probe when a probe is cancelled', () => {
    const b = make()
    for (let i = 0; i < 3; i++) b.failure(0, 0)
    assert.equal(b.admit(1000), 'probe')
    b.cancelProbe(1000)
    assert.equal(b.admit(1000), 'probe')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { RetryBudget } from '../../../src/proxy/retry-budget.js'

describe('retry budget', () => {
  it('allows the minimum per second over the TTL with no traffic', () => {
    const b = new RetryBudget({ ratio: 0.2, minPerSecond: 10, ttlMs: 10_000 }, 0)
    let granted = 0
    while (b.withdraw(0)) granted++
    assert.equal(granted, 100)
  })

  it('adds the ratio of deposits', () => {
    const b = new RetryBudget({ ratio: 0.2, minPerSecond: 0, ttlMs: 10_000 }, 0)
    for (let i = 0; i < 100; i++) b.deposit(0)
    let granted = 0
    while (b.withdraw(0)) granted++
    assert.equal(granted, 20)
  })

  it('forgets deposits and withdrawals after the TTL', () => {
    const b = new RetryBudget({ ratio: 0.5, minPerSecond: 0, ttlMs: 1000 }, 0)
    for (let i = 0; i < 10; i++) b.deposit(0)
    while (b.withdraw(0));
    assert.equal(b.withdraw(500), false)
    assert.equal(b.balance(1200), 0)
    for (let i = 0; i < 4; i++) b.deposit(1200)
    assert.equal(b.withdraw(1200), true)
    assert.equal(b.withdraw(1200), true)
    assert.equal(b.withdraw(1200), false)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { windowSince } from '../../../src/analysis/run-checks.js'

describe('analysis window', () => {
  const m = { name: 'request-success-rate', interval: '30s' }
  it('reaches no further back than the current rollout', () => {
    assert.equal(windowSince(m, 12_400).interval, '11s', 'a sampling period clear of the start')
    assert.equal(windowSince(m, 300).interval, '1s', 'never below one second')
  })
  it('keeps the metric as written once the rollout is older than its window, or without a rollout', () => {
    assert.equal(windowSince(m, 45_000), m)
    assert.equal(windowSince(m, undefined), m)
    assert.equal(windowSince({ name: 'x' }, 90_000).interval, undefined)
    assert.equal(windowSince({ name: 'x' }, 20_000).interval, '19s', 'the default window is 1m')
  })
})

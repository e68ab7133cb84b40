import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { boundsOf, evaluate } from '../../../src/analysis/evaluate.js'

describe('evaluating a value against thresholds', () => {
  const cases = [
    {
      metric: { name: 'request-success-rate', thresholdRange: { min: 99 } },
      value: 87.5,
      outcome: 'Failed',
      message: 'request-success-rate 87.5 < min 99',
    },
    {
      metric: { name: 'request-success-rate', thresholdRange: { min: 99 } },
      value: 99,
      outcome: 'Successful',
      message: 'request-success-rate 99 within min 99',
    },
    {
      metric: { name: 'request-duration', thresholdRange: { max: 500 } },
      value: 612.25,
      outcome: 'Failed',
      message: 'request-duration 612.25 > max 500',
    },
    {
      metric: { name: 'x', thresholdRange: { min: 1, max: 5 } },
      value: 6,
      outcome: 'Failed',
      message: 'x 6 > max 5',
    },
    {
      metric: { name: 'x', thresholdRange: { min: 1, max: 5 } },
      value: 3,
      outcome: 'Successful',
      message: 'x 3 within min 1, max 5',
    },
    // Deprecated threshold: a minimum for the success rate, a maximum for everything else.
    {
      metric: { name: 'request-success-rate', threshold: 99 },
      value: 98,
      outcome: 'Failed',
      message: 'request-success-rate 98 < min 99',
    },
    {
      metric: { name: 'request-duration', threshold: 500 },
      value: 501,
      outcome: 'Failed',
      message: 'request-duration 501 > max 500',
    },
    {
      metric: { name: 'errors', threshold: 5 },
      value: 4,
      outcome: 'Successful',
      message: 'errors 4 within max 5',
    },
    {
      metric: { name: 'errors' },
      value: 1e6,
      outcome: 'Successful',
      message: 'errors 1000000 (no threshold set)',
    },
    {
      metric: { name: 'errors', thresholdRange: { max: 1 } },
      value: Number.NaN,
      outcome: 'Inconclusive',
      message: 'errors is NaN: no data to judge',
    },
  ] as const

  for (const c of cases) {
    it(c.message, () => {
      assert.deepEqual(evaluate(c.metric, c.value), { outcome: c.outcome, message: c.message })
    })
  }

  it('prefers thresholdRange over the deprecated threshold', () => {
    assert.deepEqual(
      boundsOf({ name: 'request-success-rate', threshold: 90, thresholdRange: { max: 100 } }),
      { max: 100 },
    )
  })
})

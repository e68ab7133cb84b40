import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  maxWeight,
  nextPromotionWeight,
  nextStepWeight,
  plannedWeights,
} from '../../../src/controller/weights.js'
import { checkRolloutWindow, inRolloutWindow } from '../../../src/controller/window.js'

describe('weights (milli-units)', () => {
  const cases: { name: string; a: Parameters<typeof plannedWeights>[0]; want: number[] }[] = [
    {
      name: 'stepWeight to maxWeight',
      a: { stepWeight: 10, maxWeight: 50 },
      want: [100, 200, 300, 400, 500],
    },
    {
      name: 'stepWeight never overshoots maxWeight',
      a: { stepWeight: 20, maxWeight: 50 },
      want: [200, 400, 500],
    },
    { name: 'maxWeight defaults to 100', a: { stepWeight: 50 }, want: [500, 1000] },
    { name: 'stepWeights', a: { stepWeights: [1, 2, 10, 80] }, want: [10, 20, 100, 800] },
    {
      name: 'maxWeight caps stepWeights',
      a: { stepWeights: [1, 5, 10, 50, 80], maxWeight: 50 },
      want: [10, 50, 100, 500],
    },
    { name: 'fractional percents', a: { stepWeight: 2.5, maxWeight: 5 }, want: [25, 50] },
  ]
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(plannedWeights(c.a), c.want)
    })
  }

  it('a weight not on the stepWeights list goes to the next one above it', () => {
    assert.equal(nextStepWeight({ stepWeights: [10, 50] }, 300), 500)
    assert.equal(nextStepWeight({ stepWeights: [10, 50] }, 500), 500)
    assert.equal(maxWeight({ stepWeights: [10, 50], maxWeight: 80 }), 500)
  })

  it('steps traffic back during promotion, or all at once', () => {
    assert.equal(nextPromotionWeight({ stepWeightPromotion: 20 }, 500), 300)
    assert.equal(nextPromotionWeight({ stepWeightPromotion: 20 }, 100), 0)
    assert.equal(nextPromotionWeight({}, 500), 0)
  })
})

describe('rollout windows', () => {
  const monday10 = Date.UTC(2026, 0, 5, 10, 30)
  const saturday10 = Date.UTC(2026, 0, 10, 10, 30)
  it('matches minutes of a five-field cron expression, in UTC unless a zone is named', () => {
    assert.equal(inRolloutWindow(undefined, monday10), true)
    assert.equal(inRolloutWindow([], monday10), true)
    assert.equal(inRolloutWindow([{ schedule: '* 9-17 * * 1-5' }], monday10), true)
    assert.equal(inRolloutWindow([{ schedule: '* 9-17 * * 1-5' }], saturday10), false)
    assert.equal(
      inRolloutWindow([{ schedule: '* 9-17 * * 1-5' }, { schedule: '* * * * 6' }], saturday10),
      true,
    )
    assert.equal(inRolloutWindow([{ schedule: '0-29 10 * * *' }], monday10), false)
    assert.equal(
      inRolloutWindow([{ schedule: '* 5 * * *', timeZone: 'America/New_York' }], monday10),
      true,
    )
  })

  it('with both day fields restricted, either may match (standard cron)', () => {
    assert.equal(inRolloutWindow([{ schedule: '* * 5 * 6' }], monday10), true)
    assert.equal(inRolloutWindow([{ schedule: '* * 6 * 6' }], monday10), false)
  })

  it('rejects bad expressions and zones, naming what is wrong', () => {
    assert.throws(() => {
      checkRolloutWindow({ schedule: '* * *' })
    }, /expected five fields/)
    assert.throws(() => {
      checkRolloutWindow({ schedule: '0 * * * * *' })
    }, /expected five fields/)
    assert.throws(() => {
      checkRolloutWindow({ schedule: '* 25 * * *' })
    }, /hour/)
    assert.throws(() => {
      checkRolloutWindow({ schedule: '* * * * *', timeZone: 'Mars/Olympus' })
    }, /unknown time zone/)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'

async function atFirstWeight(
  limits: { inconclusiveLimit?: number; errorLimit?: number } = {},
): Promise<Rig> {
  const rig = new Rig(newTestCanary({ stepWeight: 10, maxWeight: 30, threshold: 2, ...limits }))
  await rig.initializeAndBump()
  await rig.run((r) => r.status.canaryWeight === 10)
  return rig
}

async function ticks(rig: Rig, n: number): Promise<void> {
  await rig.step(n)
}

describe('rollout engine: no data, failed and error are told apart', () => {
  it('Failed counts toward the threshold', async () => {
    const rig = await atFirstWeight()
    rig.analysis.script = () => ['Failed']
    await ticks(rig, 1)
    assert.equal(rig.status.failedChecks, 1)
    assert.equal(rig.status.canaryWeight, 10)
  })

  it('Inconclusive (no data) holds the weight, never passes, and counts one failure per run of inconclusiveLimit', async () => {
    const rig = await atFirstWeight({ inconclusiveLimit: 3 })
    rig.analysis.script = () => ['Inconclusive']
    await ticks(rig, 2)
    assert.equal(rig.status.canaryWeight, 10, 'no data never promotes a step')
    assert.equal(rig.status.failedChecks, 0)
    assert.equal(rig.status.consecutiveInconclusive, 2)
    assert.match(rig.status.message ?? '', /holding weight: no data/)
    await ticks(rig, 1)
    assert.equal(rig.status.failedChecks, 1)
    assert.equal(rig.status.consecutiveInconclusive, 0)
    rig.analysis.script = () => ['Successful']
    await rig.runTo('Succeeded')
  })

  it('Error (backend down) holds the weight and counts one failure per run of errorLimit', async () => {
    const rig = await atFirstWeight({ errorLimit: 2 })
    rig.analysis.script = () => ['Error']
    await ticks(rig, 1)
    assert.equal(rig.status.failedChecks, 0)
    assert.equal(rig.status.consecutiveErrors, 1)
    assert.ok(rig.events.events.some((e) => e.reason === 'MetricsError'))
    await ticks(rig, 3)
    assert.equal(rig.phase, 'Failed', 'two runs of two errors reach threshold 2')
  })

  it('a limit of 0 holds indefinitely on no data', async () => {
    const rig = await atFirstWeight({ inconclusiveLimit: 0 })
    rig.analysis.script = () => ['Inconclusive']
    await ticks(rig, 30)
    assert.equal(rig.phase, 'Progressing')
    assert.equal(rig.status.canaryWeight, 10)
    assert.equal(rig.status.failedChecks, 0)
  })

  it('a passing check resets the runs of no-data and errors', async () => {
    const rig = await atFirstWeight({ inconclusiveLimit: 2 })
    rig.analysis.script = () => ['Inconclusive']
    await ticks(rig, 1)
    rig.analysis.script = () => ['Successful']
    await ticks(rig, 1)
    assert.equal(rig.status.consecutiveInconclusive, 0)
    assert.equal(rig.status.canaryWeight, 20)
  })

  it('Failed wins over Error and Inconclusive in the same step', async () => {
    const rig = await atFirstWeight()
    rig.analysis.script = () => ['Error', 'Failed']
    await ticks(rig, 1)
    assert.equal(rig.status.failedChecks, 1)
  })

  it('keeps the last measurements of each metric on the status', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 10, maxWeight: 100 }))
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    const m = rig.status.measurements ?? []
    assert.equal(m.filter((x) => x.metric === 'request-success-rate').length, 5)
    assert.equal(m.filter((x) => x.metric === 'request-duration').length, 5)
    assert.equal(m.at(-1)?.weight, 1000)
  })
})

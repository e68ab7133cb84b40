import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'
import { pendingCommand } from '../../../src/controller/commands.js'

async function midRollout(): Promise<Rig> {
  const rig = new Rig(newTestCanary({ stepWeight: 10, maxWeight: 50 }))
  await rig.initializeAndBump()
  await rig.run((r) => r.status.canaryWeight === 20)
  return rig
}

describe('rollout engine: commands', () => {
  it('promote skips the remaining steps', async () => {
    const rig = await midRollout()
    rig.command('promote')
    await rig.tick()
    assert.equal(rig.phase, 'Promoting')
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, ['1000/0', '900/100', '800/200', '1000/0'])
    assert.equal(rig.workloads.primaryHash, 'v2')
  })

  it('abort rolls back now, with an alert', async () => {
    const rig = await midRollout()
    rig.command('abort')
    await rig.tick()
    assert.equal(rig.phase, 'Failed')
    assert.equal(rig.status.canaryWeight, 0)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'ManualAbort' && a.severity === 'error'))
    assert.equal(rig.workloads.primaryHash, 'v1')
  })

  it('pause holds the weight and analysis; resume starts a fresh interval', async () => {
    const rig = await midRollout()
    rig.command('pause')
    await rig.tick()
    const runs = rig.analysis.runs.length
    for (let i = 0; i < 10; i++) {
      rig.clock.advance(60_000)
      await rig.tick()
    }
    assert.equal(rig.status.canaryWeight, 20)
    assert.equal(rig.status.paused, true)
    assert.equal(rig.analysis.runs.length, runs)
    rig.command('resume')
    const resumedAt = rig.clock.now()
    await rig.tick()
    assert.equal(rig.status.paused, undefined)
    assert.equal(rig.status.stepStartedAt, new Date(resumedAt).toISOString())
    rig.clock.advance(30_000)
    await rig.tick()
    assert.equal(rig.status.canaryWeight, 20, 'not before a full interval after resume')
    await rig.runTo('Succeeded')
  })

  it('retry starts a failed rollout again without a new pod template', async () => {
    const rig = new Rig(newTestCanary())
    rig.analysis.script = () => ['Failed']
    await rig.initializeAndBump()
    await rig.runTo('Failed')
    await rig.step(3)
    assert.equal(rig.phase, 'Failed', 'no retry by itself')
    rig.analysis.script = () => ['Successful']
    rig.command('retry')
    await rig.runTo('Succeeded')
    assert.equal(rig.workloads.primaryHash, 'v2')
  })

  it('refuses what makes no sense, once, with an event saying why', async () => {
    const rig = new Rig(newTestCanary())
    await rig.runTo('Initialized')
    for (const verb of ['promote', 'abort', 'retry', 'resume']) {
      rig.command(verb)
      await rig.tick()
      await rig.tick()
    }
    const ignored = rig.events.events
      .filter((e) => e.reason === 'CommandIgnored')
      .map((e) => e.message)
    assert.deepEqual(ignored, [
      'promote: nothing to promote (phase Initialized)',
      'abort: no rollout to abort (phase Initialized)',
      'retry: only a Failed rollout can be retried (phase Initialized)',
      'resume: not paused (phase Initialized)',
    ])
    assert.equal(rig.phase, 'Initialized')
  })

  it('refuses abort once the promotion is underway', async () => {
    const rig = await midRollout()
    rig.workloads.primaryReady = () => ({ ready: false, message: 'rolling out' })
    rig.command('promote')
    await rig.tick()
    rig.command('abort')
    await rig.tick()
    assert.equal(rig.phase, 'Promoting')
    assert.ok(rig.events.events.some((e) => e.message.startsWith('abort: too late to abort')))
  })

  it('reads commands from the annotation once; unknown verbs are not commands', () => {
    const c = newTestCanary()
    c.metadata.annotations = { 'fledge.dev/command': 'promote@123' }
    assert.deepEqual(pendingCommand(c), { verb: 'promote', id: 'promote@123' })
    c.status = { lastCommand: 'promote@123' }
    assert.equal(pendingCommand(c), undefined)
    c.metadata.annotations = { 'fledge.dev/command': 'explode' }
    assert.equal(pendingCommand(c), undefined)
    c.metadata.annotations = { 'fledge.dev/command': 'abort' }
    assert.deepEqual(pendingCommand(c), { verb: 'abort', id: 'abort' })
  })
})

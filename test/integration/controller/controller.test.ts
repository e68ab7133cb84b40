import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Controller } from '../../../src/controller/controller.js'
import { systemClock } from '../../../src/util/system-clock.js'
import { newTestCanary } from '../../fixtures/canary.js'
import { KEY, Rig } from '../../helpers/engine-rig.js'

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('controller: one loop per Canary on real timers', () => {
  it('walks a rollout to the end by itself, one interval per step', async (t) => {
    const rig = new Rig(newTestCanary({ interval: '100ms', stepWeight: 25, maxWeight: 50 }))
    const ticks: string[] = []
    const controller = new Controller(
      { ...rig.deps(), clock: systemClock },
      { pollMs: 20, onTick: (k) => ticks.push(k) },
    )
    t.after(() => controller.close())
    controller.track(KEY)
    controller.track(KEY)
    await until('Initialized', () => rig.phase === 'Initialized')
    const bumped = Date.now()
    rig.workloads.targetHash = 'v2'
    controller.wake(KEY)
    await until('Succeeded', () => rig.phase === 'Succeeded')
    const took = Date.now() - bumped
    assert.ok(took >= 300, `three intervals at least (pre-rollout, 25%, 50%), took ${took}ms`)
    assert.deepEqual(rig.traffic.history, ['1000/0', '750/250', '500/500', '1000/0'])
    assert.deepEqual(controller.keys, [KEY])
    assert.ok(ticks.every((k) => k === KEY))
  })

  it('retries a failing tick with backoff and carries on', async (t) => {
    const rig = new Rig(newTestCanary({ interval: '50ms' }))
    rig.store.failNextWrites = 3
    const controller = new Controller(
      { ...rig.deps(), clock: systemClock },
      { pollMs: 10, maxBackoffMs: 40 },
    )
    t.after(() => controller.close())
    controller.track(KEY)
    await until('Initialized', () => rig.phase === 'Initialized')
    assert.equal(rig.store.failNextWrites, 0)
  })

  it('stops a loop when its Canary is gone, and on untrack', async (t) => {
    const rig = new Rig(newTestCanary({ interval: '50ms' }))
    const controller = new Controller({ ...rig.deps(), clock: systemClock }, { pollMs: 10 })
    t.after(() => controller.close())
    controller.track(KEY)
    await until('Initialized', () => rig.phase === 'Initialized')
    rig.store.objects.delete(KEY)
    await until('loop ended', () => controller.keys.length === 0)
    controller.track('test/other')
    await controller.untrack('test/other')
    assert.deepEqual(controller.keys, [])
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Canary } from '../../../src/api/canary.js'
import { newTestCanary } from '../../fixtures/canary.js'
import { POLL_MS, Rig } from '../../helpers/engine-rig.js'

interface Outcome {
  readonly phase: string | undefined
  readonly primary: string | undefined
  readonly routes: readonly string[]
  /** When each route change happened, relative to the bump. */
  readonly times: readonly number[]
  readonly promoted: string | undefined
  readonly failedChecks: number | undefined
}

const SCENARIOS: Record<string, { canary: () => Canary; failAt?: number }> = {
  'canary promotion': { canary: () => newTestCanary({ stepWeight: 20, maxWeight: 60 }) },
  'stepWeights with mirror': {
    canary: () => newTestCanary({ stepWeight: undefined, stepWeights: [5, 25, 50], mirror: true }),
  },
  'A/B iterations': {
    canary: () =>
      newTestCanary({
        stepWeight: undefined,
        iterations: 3,
        match: [{ headers: { 'x-user': { exact: 'qa' } } }],
      }),
  },
  'rollback at threshold': {
    canary: () => newTestCanary({ stepWeight: 20, threshold: 2 }),
    failAt: 400,
  },
}

/**
 * Runs a rollout from the bump to the end. `restart(tick)` is called after every tick and may
 * simulate a controller restart; the world (store, workloads, routes) survives, the controller
 * keeps nothing else.
 */
async function rollout(
  name: string,
  hooks: {
    afterTick?: (rig: Rig, tick: number) => Promise<void>
    beforeTick?: (rig: Rig, tick: number) => void
  } = {},
): Promise<Outcome> {
  const scenario = SCENARIOS[name]!
  const rig = new Rig(scenario.canary())
  const failAt = scenario.failAt
  if (failAt !== undefined) rig.analysis.script = (w) => (w >= failAt ? ['Failed'] : ['Successful'])
  await rig.initializeAndBump('v2')
  const bump = rig.clock.now()
  const times: number[] = []
  let seen = rig.traffic.history.length
  for (let i = 0; i < 300; i++) {
    hooks.beforeTick?.(rig, i)
    try {
      await rig.step()
    } catch {
      // The simulated crash: the controller dies after acting, before writing status.
    }
    await hooks.afterTick?.(rig, i)
    if (rig.traffic.history.length > seen) {
      seen = rig.traffic.history.length
      times.push(rig.clock.now() - bump)
    }
    if (
      (rig.phase === 'Succeeded' || rig.phase === 'Failed') &&
      rig.status.pendingScaleDown !== true
    )
      break
  }
  return {
    phase: rig.phase,
    primary: rig.workloads.primaryHash,
    routes: rig.traffic.history,
    times,
    promoted: rig.status.lastPromotedSpec,
    failedChecks: rig.status.failedChecks,
  }
}

describe('rollout engine: a restart resumes exactly', () => {
  for (const name of Object.keys(SCENARIOS)) {
    it(`${name}: restarting after every tick ends where the uninterrupted run ends, at the same times`, async () => {
      const reference = await rollout(name)
      assert.ok(reference.phase === 'Succeeded' || reference.phase === 'Failed')
      // A restarted controller ticks at once, and again a little later: neither may cut an interval short.
      const restarted = await rollout(name, {
        afterTick: async (rig) => {
          await rig.tick()
          rig.clock.advance(1_000)
          await rig.tick()
          rig.clock.advance(-1_000)
        },
      })
      // Interval-paced steps happen at exactly the same times; what waits on the world (the
      // primary's readiness at promotion) may be seen sooner by the extra ticks, never later.
      assert.deepEqual({ ...restarted, times: [] }, { ...reference, times: [] })
      assert.deepEqual(restarted.times.slice(0, -1), reference.times.slice(0, -1))
      const last = reference.times.at(-1)! - restarted.times.at(-1)!
      assert.ok(last >= 0 && last <= POLL_MS, `final step ${last}ms apart`)
    })

    it(`${name}: a crash between acting and writing status, at any tick, takes no step twice`, async () => {
      const reference = await rollout(name)
      const ticks = 40
      for (let k = 0; k < ticks; k++) {
        const crashed = await rollout(name, {
          beforeTick: (rig, i) => {
            if (i === k) rig.store.failNextWrites = 1
          },
        })
        assert.equal(crashed.phase, reference.phase, `crash at tick ${k}`)
        assert.equal(crashed.primary, reference.primary, `crash at tick ${k}`)
        assert.equal(crashed.promoted, reference.promoted, `crash at tick ${k}`)
        assert.deepEqual(
          crashed.routes,
          reference.routes,
          `crash at tick ${k}: no weight skipped or repeated`,
        )
      }
    })
  }

  it('never cuts an interval short: the next step comes one full interval after the last', async () => {
    const rig = new Rig(newTestCanary({ interval: '1m', stepWeight: 10 }))
    await rig.initializeAndBump()
    await rig.run((r) => r.status.canaryWeight === 10)
    const stepAt = Date.parse(rig.status.stepStartedAt ?? '')
    for (const offset of [1_000, 30_000, 59_999]) {
      rig.clock.time = stepAt + offset
      await rig.tick()
      assert.equal(rig.status.canaryWeight, 10, `no step ${offset}ms into the interval`)
    }
    rig.clock.time = stepAt + 60_000
    await rig.tick()
    assert.equal(rig.status.canaryWeight, 20)
  })
})

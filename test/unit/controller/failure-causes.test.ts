import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'

/** Each way a rollout can fail, set up on a rig that has just started analysing. */
const CAUSES: Record<string, (rig: Rig) => void> = {
  MetricThreshold: (rig) => (rig.analysis.script = () => ['Failed']),
  ProgressDeadline: (rig) =>
    (rig.workloads.canaryReady = () => ({ ready: false, message: 'crash loop' })),
  RollbackWebhook: (rig) => rig.webhooks.status.set('gate', 200),
  ManualAbort: (rig) => {
    rig.command('abort')
  },
  Reverted: (rig) => (rig.workloads.targetHash = 'v1'),
  PromotionFailed: (rig) => {
    rig.command('promote')
    rig.workloads.primaryReady = () => ({ ready: false, message: 'ImagePullBackOff', failed: true })
  },
}

describe('rollout engine: every failure cause raises an event and an alert', () => {
  for (const [cause, inflict] of Object.entries(CAUSES)) {
    it(cause, async () => {
      const rig = new Rig(
        newTestCanary({ webhooks: [{ name: 'gate', type: 'rollback', url: 'http://gate.test/' }] }),
      )
      rig.webhooks.status.set('gate', 404)
      await rig.initializeAndBump()
      await rig.run((r) => (r.status.canaryWeight ?? 0) > 0)
      inflict(rig)
      await rig.runTo('Failed')
      assert.ok(
        rig.events.events.some((e) => e.type === 'Warning' && e.reason === cause),
        `event for ${cause}`,
      )
      assert.ok(
        rig.alerts.alerts.some((a) => a.severity === 'error' && a.reason === cause),
        `alert for ${cause}`,
      )
      assert.notEqual(rig.status.message, undefined)
    })
  }
})

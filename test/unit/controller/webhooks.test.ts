import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Webhook } from '../../../src/api/canary-spec.js'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'

function hook(type: NonNullable<Webhook['type']>, name: string = type): Webhook {
  return { name, type, url: `http://hooks.test/${name}`, metadata: { cmd: `run ${name}` } }
}

function rigWith(...hooks: Webhook[]): Rig {
  return new Rig(newTestCanary({ webhooks: hooks, stepWeight: 25, maxWeight: 50, threshold: 2 }))
}

describe('rollout engine: webhooks of every type', () => {
  it('confirm-rollout: closed holds the rollout in Waiting, open starts it', async () => {
    const rig = rigWith(hook('confirm-rollout'))
    rig.webhooks.status.set('confirm-rollout', 403)
    await rig.initializeAndBump()
    await rig.runTo('Waiting')
    await rig.step(3)
    assert.equal(rig.phase, 'Waiting')
    assert.equal(rig.workloads.canaryReplicas, 0, 'the canary is not scaled up while waiting')
    assert.equal(
      rig.alerts.alerts.filter((a) => a.reason === 'Waiting').length,
      1,
      'one alert, not one per tick',
    )
    const calls = rig.webhooks.count('confirm-rollout')
    assert.ok(calls >= 2 && calls <= 4, `gate asked once per interval, got ${calls}`)
    rig.webhooks.status.set('confirm-rollout', 200)
    await rig.runTo('Succeeded')
    assert.equal(rig.webhooks.calls[0]?.payload.phase, 'Initialized')
  })

  it('pre-rollout: a failure counts as a failed check and is retried; passing starts traffic', async () => {
    const rig = rigWith(hook('pre-rollout'))
    rig.webhooks.status.set('pre-rollout', 500)
    await rig.initializeAndBump()
    await rig.run((r) => r.status.failedChecks === 1)
    assert.equal(rig.status.canaryWeight, 0)
    rig.webhooks.status.set('pre-rollout', 204)
    await rig.runTo('Succeeded')
    assert.equal(rig.webhooks.count('pre-rollout'), 2)
    assert.equal(
      rig.webhooks.calls.find((c) => c.type === 'pre-rollout')?.payload.phase,
      'Progressing',
    )
  })

  it('pre-rollout failing up to the threshold rolls back', async () => {
    const rig = rigWith(hook('pre-rollout'))
    rig.webhooks.status.set('pre-rollout', 500)
    await rig.initializeAndBump()
    await rig.runTo('Failed')
    assert.match(rig.status.message ?? '', /pre-rollout hook pre-rollout: status 500/)
    assert.ok(rig.alerts.alerts.some((a) => a.severity === 'error'))
  })

  it('rollout (and type ""): called at every analysis step with Flagger payload; failing counts', async () => {
    const rig = rigWith(hook('rollout', 'load'), { name: 'untyped', url: 'http://hooks.test/u' })
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    const calls = rig.webhooks.calls.filter((c) => c.type === 'rollout')
    assert.equal(calls.length, 4, 'two hooks × two analysed weights')
    const p = calls[0]?.payload
    assert.equal(p?.name, 'podinfo')
    assert.equal(p?.namespace, 'test')
    assert.equal(p?.phase, 'Progressing')
    assert.match(p?.checksum ?? '', /^[0-9a-f]{10}$/)
    assert.deepEqual(p?.metadata, { cmd: 'run load' })

    const failing = rigWith(hook('rollout', 'load'))
    failing.webhooks.status.set('load', 502)
    await failing.initializeAndBump()
    await failing.runTo('Failed')
    assert.equal(failing.status.failedChecks, 2)
    assert.equal(
      failing.analysis.runs.length,
      0,
      'metrics are not queried after a failed rollout hook',
    )
  })

  it('confirm-traffic-increase: closed holds the weight without counting a failure', async () => {
    const rig = rigWith(hook('confirm-traffic-increase'))
    await rig.initializeAndBump()
    await rig.run((r) => r.status.canaryWeight === 25)
    rig.webhooks.status.set('confirm-traffic-increase', 403)
    await rig.step(5)
    assert.equal(rig.status.canaryWeight, 25)
    assert.equal(rig.status.failedChecks, 0)
    assert.match(rig.status.message ?? '', /holding weight 25%/)
    rig.webhooks.status.set('confirm-traffic-increase', 200)
    await rig.runTo('Succeeded')
  })

  it('confirm-promotion: closed waits in WaitingPromotion with analysis still running', async () => {
    const rig = rigWith(hook('confirm-promotion'))
    rig.webhooks.status.set('confirm-promotion', 403)
    await rig.initializeAndBump()
    await rig.runTo('WaitingPromotion')
    const runs = rig.analysis.runs.length
    await rig.step(4)
    assert.equal(rig.phase, 'WaitingPromotion')
    assert.ok(rig.analysis.runs.length > runs, 'analysis continues while waiting')
    assert.equal(rig.alerts.alerts.filter((a) => a.reason === 'WaitingPromotion').length, 1)
    rig.webhooks.status.set('confirm-promotion', 200)
    await rig.runTo('Succeeded')
  })

  it('confirm-promotion: failing analysis while waiting still rolls back', async () => {
    const rig = rigWith(hook('confirm-promotion'))
    rig.webhooks.status.set('confirm-promotion', 403)
    await rig.initializeAndBump()
    await rig.runTo('WaitingPromotion')
    rig.analysis.script = () => ['Failed']
    await rig.runTo('Failed')
  })

  it('post-rollout: called once after success and once after failure, with the final phase', async () => {
    const ok = rigWith(hook('post-rollout'))
    await ok.initializeAndBump()
    await ok.runTo('Succeeded')
    assert.deepEqual(
      ok.webhooks.calls.map((c) => `${c.type}:${c.payload.phase}`),
      ['post-rollout:Succeeded'],
    )

    const failing = rigWith(hook('post-rollout'))
    failing.webhooks.status.set('post-rollout', 500)
    failing.analysis.script = () => ['Failed']
    await failing.initializeAndBump()
    await failing.runTo('Failed')
    assert.deepEqual(
      failing.webhooks.calls.map((c) => `${c.type}:${c.payload.phase}`),
      ['post-rollout:Failed'],
    )
  })

  it('rollback: a 2xx rolls back at once; non-2xx means carry on', async () => {
    const rig = rigWith(hook('rollback'))
    rig.webhooks.status.set('rollback', 404)
    await rig.initializeAndBump()
    await rig.run((r) => r.status.canaryWeight === 25)
    rig.webhooks.status.set('rollback', 200)
    await rig.runTo('Failed')
    assert.equal(rig.status.failedChecks, 0)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'RollbackWebhook'))
    assert.ok(rig.events.events.some((e) => e.reason === 'RollbackWebhook'))
  })

  it('event: every event is sent with its message, type and timestamp', async () => {
    const rig = rigWith(hook('event'))
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    const sent = rig.webhooks.calls.filter((c) => c.type === 'event')
    assert.equal(sent.length, rig.events.events.length)
    const advance = sent.find((c) =>
      c.payload.metadata['eventMessage']?.includes('Advance podinfo canary weight 25%'),
    )
    assert.equal(advance?.payload.metadata['eventType'], 'Normal')
    assert.match(advance?.payload.metadata['timestamp'] ?? '', /^\d+$/)
    assert.equal(advance?.payload.metadata['cmd'], 'run event')
  })

  it('treats any 2xx as success (Flagger took only up to 202)', async () => {
    const rig = rigWith(hook('pre-rollout'), hook('confirm-promotion'))
    rig.webhooks.status.set('pre-rollout', 204)
    rig.webhooks.status.set('confirm-promotion', 299)
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
  })
})

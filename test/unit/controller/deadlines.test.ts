import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'

const NEVER = () => ({ ready: false, message: '0/1 replicas available' })

describe('rollout engine: progressDeadlineSeconds holds in every phase', () => {
  it('Initializing: a primary that never becomes ready fails initialization', async () => {
    const rig = new Rig(newTestCanary())
    rig.workloads.primaryReady = NEVER
    const start = rig.clock.now()
    await rig.runTo('Failed')
    assert.ok(rig.clock.now() - start > 120_000)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'ProgressDeadline'))
    // A new revision starts initialization again.
    rig.workloads.primaryReady = undefined
    rig.workloads.targetHash = 'v2'
    await rig.runTo('Initialized')
  })

  it('Progressing: a canary that never becomes ready is rolled back, with an alert', async () => {
    const rig = new Rig(newTestCanary())
    await rig.initializeAndBump()
    rig.workloads.canaryReady = NEVER
    await rig.runTo('Failed')
    assert.match(rig.status.message ?? '', /podinfo not ready within 120s: 0\/1 replicas available/)
    assert.ok(
      rig.alerts.alerts.some((a) => a.reason === 'ProgressDeadline' && a.severity === 'error'),
    )
    assert.ok(rig.events.events.some((e) => e.reason === 'ProgressDeadline'))
  })

  it('Progressing: a platform-reported failure rolls back at once', async () => {
    const rig = new Rig(newTestCanary())
    await rig.initializeAndBump()
    rig.workloads.canaryReady = () => ({
      ready: false,
      failed: true,
      message: 'image books:v9 not in the catalog',
    })
    const start = rig.clock.now()
    await rig.runTo('Failed')
    assert.ok(rig.clock.now() - start < 120_000)
  })

  it('Progressing: a canary that goes unready mid-rollout and stays so is rolled back', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 10 }))
    await rig.initializeAndBump()
    await rig.run((r) => r.status.canaryWeight === 20)
    rig.workloads.canaryReady = NEVER
    await rig.runTo('Failed')
  })

  it('Promoting: a primary that never rolls out fails, keeping all traffic on the healthy canary', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 25, maxWeight: 50 }))
    await rig.initializeAndBump()
    await rig.runTo('Promoting')
    rig.workloads.primaryReady = NEVER
    await rig.runTo('Failed')
    assert.deepEqual(rig.traffic.weights, { primary: 0, canary: 1000, mirror: false })
    assert.equal(rig.status.canaryWeight, 100)
    assert.equal(rig.workloads.canaryReplicas, 1)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'PromotionFailed'))
  })

  it('Finalising: a data plane that never confirms the routes fails without scaling the canary down', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 25, maxWeight: 50 }))
    await rig.initializeAndBump()
    await rig.runTo('Promoting')
    rig.traffic.applied = false
    await rig.runTo('Finalising')
    await rig.step(3)
    assert.equal(rig.phase, 'Finalising', 'waits for the data plane before scaling down')
    assert.equal(rig.workloads.canaryReplicas, 1)
    await rig.runTo('Failed')
    assert.equal(rig.workloads.canaryReplicas, 1)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'ProgressDeadline'))
  })

  it('Finalising: promotion waits for the data plane, then succeeds', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 50, maxWeight: 50 }))
    await rig.initializeAndBump()
    await rig.runTo('Promoting')
    rig.traffic.applied = false
    await rig.runTo('Finalising')
    await rig.step()
    assert.equal(rig.workloads.canaryReplicas, 1)
    rig.traffic.applied = true
    await rig.runTo('Succeeded')
    assert.equal(rig.workloads.canaryReplicas, 0)
  })

  it('Terminating: a target that never comes back is finalized after the deadline anyway', async () => {
    const rig = new Rig(newTestCanary({}, { revertOnDeletion: true }))
    await rig.runTo('Initialized')
    rig.workloads.canaryReady = NEVER
    const obj = rig.store.objects.get('test/podinfo') as { metadata: Record<string, unknown> }
    obj.metadata['deletionTimestamp'] = new Date(rig.clock.now()).toISOString()
    const start = rig.clock.now()
    await rig.run((r) => !r.store.objects.has('test/podinfo'))
    assert.ok(rig.clock.now() - start > 120_000)
    assert.ok(rig.events.events.some((e) => e.reason === 'ProgressDeadline'))
  })

  it('Waiting and WaitingPromotion: human gates are not subject to the deadline', async () => {
    const rig = new Rig(
      newTestCanary({
        webhooks: [{ name: 'approve', type: 'confirm-promotion', url: 'http://gate.test/' }],
        stepWeight: 50,
      }),
    )
    rig.webhooks.status.set('approve', 403)
    await rig.initializeAndBump()
    await rig.runTo('WaitingPromotion')
    rig.clock.advance(3_600_000)
    await rig.step(3)
    assert.equal(rig.phase, 'WaitingPromotion')
  })
})

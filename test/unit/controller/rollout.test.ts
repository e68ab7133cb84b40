import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newTestCanary } from '../../fixtures/canary.js'
import { Rig } from '../../helpers/engine-rig.js'

describe('rollout engine: whole rollouts through the fakes', () => {
  it('initializes: creates the primary, routes everything to it, scales the target to zero', async () => {
    const rig = new Rig(newTestCanary())
    await rig.runTo('Initialized')
    assert.equal(rig.workloads.primaryHash, 'v1')
    assert.equal(rig.workloads.canaryReplicas, 0)
    assert.deepEqual(rig.traffic.history, ['1000/0'])
    assert.equal(rig.status.lastPromotedSpec, 'v1')
    assert.equal(rig.status.lastAppliedSpec, 'v1')
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'Initialized'))
    const promoted = rig.status.conditions?.find((c) => c.type === 'Promoted')
    assert.equal(promoted?.status, 'True')
  })

  it('promotes with stepWeight: 10% steps up to maxWeight, analysis at every non-zero weight', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 10, maxWeight: 50 }))
    await rig.initializeAndBump('v2')
    const start = rig.clock.now()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, [
      '1000/0',
      '900/100',
      '800/200',
      '700/300',
      '600/400',
      '500/500',
      '1000/0',
    ])
    assert.deepEqual(rig.phases, [
      'Initializing',
      'Initialized',
      'Progressing',
      'Promoting',
      'Finalising',
      'Succeeded',
    ])
    // The first metric check happens at the first non-zero weight; one per interval after that.
    assert.deepEqual(rig.analysis.runs, [100, 200, 300, 400, 500])
    assert.equal(rig.workloads.primaryHash, 'v2')
    assert.equal(rig.workloads.canaryReplicas, 0)
    assert.equal(rig.status.lastPromotedSpec, 'v2')
    assert.equal(rig.status.canaryWeight, 0)
    assert.equal(rig.status.failedChecks, 0)
    // Minimum duration: one interval per step (5 steps + the pre-rollout interval).
    assert.ok(rig.clock.now() - start >= 6 * 60_000, `took ${rig.clock.now() - start}ms`)
    assert.ok(rig.alerts.alerts.some((a) => a.reason === 'Promoted' && a.severity === 'info'))
    assert.deepEqual(rig.workloads.log.slice(1), [
      'scaleDown',
      'scaleUp',
      'promote v2',
      'scaleDown',
    ])
  })

  it('promotes with stepWeights, capped by maxWeight', async () => {
    const rig = new Rig(
      newTestCanary({ stepWeight: undefined, stepWeights: [1, 5, 10, 50, 80], maxWeight: 50 }),
    )
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, [
      '1000/0',
      '990/10',
      '950/50',
      '900/100',
      '500/500',
      '1000/0',
    ])
  })

  it('rolls back when failed checks reach the threshold, and scales down only once routes are applied', async () => {
    const rig = new Rig(newTestCanary({ threshold: 2 }))
    rig.analysis.script = (w) => (w >= 200 ? ['Failed'] : ['Successful'])
    await rig.initializeAndBump()
    rig.traffic.applied = false
    await rig.runTo('Failed')
    assert.equal(rig.status.failedChecks, 2)
    assert.equal(rig.status.canaryWeight, 0)
    assert.deepEqual(rig.traffic.history, ['1000/0', '900/100', '800/200', '1000/0'])
    assert.equal(rig.workloads.canaryReplicas, 1, 'still up until the data plane confirms')
    assert.equal(rig.status.pendingScaleDown, true)
    const alert = rig.alerts.alerts.find((a) => a.severity === 'error')
    assert.equal(alert?.reason, 'MetricThreshold')
    assert.match(rig.status.message ?? '', /request-success-rate Failed/)
    rig.traffic.applied = true
    await rig.run((r) => r.workloads.canaryReplicas === 0)
    assert.equal(rig.status.pendingScaleDown, undefined)
    assert.equal(rig.workloads.primaryHash, 'v1', 'the primary never got the broken version')
    assert.equal(rig.status.conditions?.find((c) => c.type === 'Promoted')?.status, 'False')
    assert.ok(rig.webhooks.calls.length === 0)
  })

  it('runs A/B: routes matching requests to the canary for N iterations, then promotes', async () => {
    const rig = new Rig(
      newTestCanary({
        stepWeight: undefined,
        iterations: 3,
        match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
      }),
    )
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, ['1000/0', '0/1000 ab', '1000/0'])
    assert.equal(rig.analysis.runs.length, 3)
    assert.equal(rig.status.iterations, 3)
    assert.equal(rig.workloads.primaryHash, 'v2')
  })

  it('runs blue/green: N iterations without traffic, then all traffic to the canary, then promotes', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: undefined, iterations: 2 }))
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, ['1000/0', '0/1000', '1000/0'])
    assert.equal(rig.workloads.primaryHash, 'v2')
  })

  it('mirrors before the first weight step when mirror is set', async () => {
    const rig = new Rig(newTestCanary({ mirror: true, stepWeight: 25, maxWeight: 50 }))
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, ['1000/0', '1000/0 m', '750/250', '500/500', '1000/0'])
  })

  it('shifts traffic back stepwise with stepWeightPromotion', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 25, maxWeight: 50, stepWeightPromotion: 20 }))
    await rig.initializeAndBump()
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, [
      '1000/0',
      '750/250',
      '500/500',
      '700/300',
      '900/100',
      '1000/0',
    ])
  })

  it('restarts the analysis when a new revision arrives mid-rollout', async () => {
    const rig = new Rig(newTestCanary({ stepWeight: 20, maxWeight: 40 }))
    await rig.initializeAndBump('v2')
    await rig.run((r) => r.status.canaryWeight === 20)
    rig.workloads.targetHash = 'v3'
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.traffic.history, [
      '1000/0',
      '800/200',
      '1000/0',
      '800/200',
      '600/400',
      '1000/0',
    ])
    assert.equal(rig.workloads.primaryHash, 'v3')
    assert.ok(rig.events.events.some((e) => e.message.includes('Restarting analysis')))
  })

  it('starts no rollout when the target is reverted to the promoted spec', async () => {
    const rig = new Rig(newTestCanary())
    await rig.initializeAndBump('v2')
    rig.analysis.script = () => ['Failed']
    await rig.runTo('Failed')
    rig.workloads.targetHash = 'v1'
    await rig.step(5)
    assert.equal(rig.phase, 'Failed')
    assert.equal(rig.status.lastAppliedSpec, 'v1')
    // Bumping to the broken version again does start one.
    rig.workloads.targetHash = 'v2'
    await rig.run((r) => r.phase === 'Progressing')
  })

  it('starts a rollout when a tracked config changes', async () => {
    const rig = new Rig(newTestCanary())
    rig.workloads.configs = { 'configmap/podinfo': 'aaa' }
    await rig.runTo('Initialized')
    rig.workloads.configs = { 'configmap/podinfo': 'bbb' }
    await rig.runTo('Succeeded')
    assert.deepEqual(rig.status.trackedConfigs, { 'configmap/podinfo': 'bbb' })
  })

  it('promotes without analysis when skipAnalysis is set, still waiting for readiness', async () => {
    const rig = new Rig(newTestCanary({}, { skipAnalysis: true }))
    await rig.initializeAndBump()
    let ready = false
    rig.workloads.canaryReady = () => ({ ready, message: ready ? 'ready' : '0/1 ready' })
    await rig.step(3)
    assert.equal(rig.phase, 'Progressing')
    ready = true
    await rig.runTo('Succeeded')
    assert.equal(rig.analysis.runs.length, 0)
    assert.equal(rig.workloads.primaryHash, 'v2')
  })

  it('does nothing while suspended', async () => {
    const rig = new Rig(newTestCanary())
    await rig.initializeAndBump()
    rig.store.setSpec('test/podinfo', { suspend: true })
    await rig.step(5)
    assert.equal(rig.phase, 'Initialized')
    assert.equal(rig.status.message, 'suspended')
    assert.equal(rig.events.reasons().filter((r) => r === 'Suspended').length, 1)
    rig.store.setSpec('test/podinfo', { suspend: false })
    await rig.runTo('Succeeded')
  })

  it('reverts the target and lets the Canary go on deletion with revertOnDeletion', async () => {
    const rig = new Rig(newTestCanary({}, { revertOnDeletion: true }))
    await rig.runTo('Initialized')
    const obj = rig.store.objects.get('test/podinfo') as { metadata: Record<string, unknown> }
    obj.metadata['deletionTimestamp'] = new Date(rig.clock.now()).toISOString()
    await rig.run((r) => !r.store.objects.has('test/podinfo'))
    assert.equal(rig.traffic.finalized, true)
    assert.ok(rig.workloads.log.includes('revertTarget'))
  })

  it('holds its weight outside the rollout window and goes on inside it', async () => {
    // 2026-01-05 is a Monday; the rig's clock starts at 10:00 UTC.
    const rig = new Rig(newTestCanary({ rolloutWindows: [{ schedule: '* 11-12 * * 1-5' }] }))
    await rig.initializeAndBump()
    await rig.run((r) => r.clock.now() >= Date.UTC(2026, 0, 5, 10, 50))
    assert.equal(rig.status.canaryWeight, 0)
    assert.match(rig.status.message ?? '', /outside the rollout window/)
    await rig.runTo('Succeeded')
    assert.ok(rig.clock.now() >= Date.UTC(2026, 0, 5, 11, 0))
  })

  it('reports an invalid Canary on its status and keeps it out of the engine', async () => {
    const bad = newTestCanary() as unknown as { spec: { analysis: Record<string, unknown> } }
    bad.spec.analysis['stepWeigth'] = 5
    const rig = new Rig(bad as never)
    const r = await rig.tick()
    assert.equal(r.kind, 'invalid')
    const ready = rig.status.conditions?.find((c) => c.type === 'Ready')
    assert.equal(ready?.reason, 'InvalidSpec')
    assert.match(ready?.message ?? '', /spec\.analysis: unknown field "stepWeigth"/)
    const writes = rig.store.writes
    await rig.tick()
    assert.equal(rig.store.writes, writes, 'the same problem is not written twice')
  })

  it('reports an invalid rollout window expression with its field path', async () => {
    const rig = new Rig(newTestCanary({ rolloutWindows: [{ schedule: '61 * * * *' }] }))
    const r = await rig.tick()
    assert.equal(r.kind, 'invalid')
    assert.match(
      rig.status.message ?? '',
      /spec\.analysis\.rolloutWindows\[0\]\.schedule "61 \* \* \* \*": minute/,
    )
  })

  it('warns at initialization when the metrics provider is offline, and goes on', async () => {
    const rig = new Rig(newTestCanary())
    rig.analysis.online = false
    await rig.runTo('Initialized')
    assert.ok(
      rig.events.events.some(
        (e) =>
          e.reason === 'MetricsProviderUnavailable' && e.message.includes('prometheus unreachable'),
      ),
    )
  })
})

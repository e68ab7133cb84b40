import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { memoryLogger } from '../../../src/proxy/logger.js'
import {
  parseMetrics,
  request,
  startUpstream,
  sum,
  tempDir,
  type TempDir,
  type Upstream,
} from './helpers.js'

const config = (primary: number, canary: number, extra = ''): string => `namespace: test
timeouts: {request: 3s}
retries: {budget: {ratio: 0.1}}
services:
  podinfo-primary:
    endpoints: [{ip: 127.0.0.1, port: ${primary}}]
    deployment: podinfo-primary
  podinfo-canary:
    endpoints: [{ip: 127.0.0.1, port: ${canary}}]
    deployment: podinfo
    namespace: test
${extra}splits:
- apiVersion: split.smi-spec.io/v1alpha4
  kind: TrafficSplit
  metadata: {name: podinfo, namespace: test}
  spec:
    service: podinfo
    backends:
    - {service: podinfo-primary, weight: 0}
    - {service: podinfo-canary, weight: 100}
`

describe('proxy --config with services and splits', () => {
  let primary: Upstream
  let canary: Upstream
  let dir: TempDir
  let proxy: RunningProxy
  const log = memoryLogger()

  before(async () => {
    primary = await startUpstream('primary')
    canary = await startUpstream('canary')
    dir = tempDir('config')
    dir.write('proxy.yaml', config(primary.port, canary.port))
    proxy = await startProxy({
      config: `${dir.path}/proxy.yaml`,
      listen: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      logger: log,
      watch: { debounceMs: 20, pollMs: 200 },
    })
  })
  after(async () => {
    await proxy.close()
    await primary.close()
    await canary.close()
    dir.remove()
  })

  it('routes by the inline split and labels inbound metrics for Flagger', async () => {
    assert.equal(proxy.settings.requestTimeoutMs, 3000)
    assert.equal(proxy.settings.budgetRatio, 0.1)
    for (let i = 0; i < 5; i++)
      assert.equal((await request(proxy.address.port, { host: 'podinfo' })).body, 'canary')
    const m = parseMetrics(
      await (await fetch(`http://127.0.0.1:${proxy.adminAddress?.port}/metrics`)).text(),
    )
    // Flagger's Linkerd success-rate query selects exactly these series.
    assert.equal(
      sum(m, 'response_total', {
        namespace: 'test',
        deployment: 'podinfo',
        direction: 'inbound',
        classification: 'success',
      }),
      5,
    )
    assert.equal(
      sum(m, 'response_total', {
        direction: 'outbound',
        authority: 'podinfo',
        dst_service: 'podinfo-canary',
        dst_deployment: 'podinfo',
      }),
      5,
    )
  })

  it('reports an invalid field of the config file and keeps the table', async () => {
    dir.write('proxy.yaml', config(primary.port, canary.port, 'bogus: 1\n'))
    const deadline = Date.now() + 5000
    while (!log.lines.some((l) => l.level === 'warn') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25))
    const warn = log.lines.find((l) => l.level === 'warn')
    assert.ok(String(warn?.fields?.['file']).endsWith('proxy.yaml'))
    assert.match(String(warn?.fields?.['message']), /unknown field "bogus"/)
    assert.equal((await request(proxy.address.port, { host: 'podinfo' })).body, 'canary')
  })

  it('accepts a TrafficSplit object through the in-process API', () => {
    const generation = proxy.setTrafficSplit({
      apiVersion: 'split.smi-spec.io/v1alpha1',
      kind: 'TrafficSplit',
      metadata: { name: 'podinfo' },
      spec: {
        service: 'podinfo',
        backends: [
          { service: 'podinfo-primary', weight: '900m' },
          { service: 'podinfo-canary', weight: '100m' },
        ],
      },
    })
    const split = proxy.getSplit('podinfo')
    assert.ok(split !== undefined)
    assert.equal(split.generation, generation)
    assert.deepEqual(split.backends, [
      { service: 'podinfo-primary', weight: 900 },
      { service: 'podinfo-canary', weight: 100 },
    ])
    assert.throws(() => proxy.setTrafficSplit({ kind: 'TrafficSplit' }), /spec/)
    assert.throws(() => {
      proxy.setEndpoints('web', { endpoints: [{ ip: 'not-an-ip', port: 80 }] })
    }, /invalid endpoint/)
    assert.throws(() => {
      proxy.setEndpoints('Web', { endpoints: [] })
    }, /invalid service name/)
  })
})

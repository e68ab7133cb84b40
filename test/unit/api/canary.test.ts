import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { validateDocument } from '../../../src/api/documents.js'
import {
  CanarySchema,
  analysisOf,
  objectKey,
  serviceName,
  type Canary,
} from '../../../src/api/canary.js'
import { CanaryStatusSchema } from '../../../src/api/canary-status.js'
import { loadDoc, loadDocs } from './fixtures.js'

type Doc = Record<string, unknown>

describe('valid manifests', () => {
  const table: [file: string, expected: string[]][] = [
    [
      'valid/podinfo-linkerd.yaml',
      ['Canary/podinfo', 'MetricTemplate/not-found-percentage', 'AlertProvider/on-call'],
    ],
    ['valid/ab-testing.yaml', ['Canary/abtest']],
    ['valid/blue-green.yaml', ['Canary/bluegreen']],
    ['valid/webhooks.yaml', ['Canary/hooks']],
    [
      'valid/alerts.yaml',
      [
        'Canary/alerting',
        'AlertProvider/dev-slack',
        'AlertProvider/ops-teams',
        'AlertProvider/pager',
        'AlertProvider/audit-log',
      ],
    ],
    [
      'valid/metrictemplates.yaml',
      ['MetricTemplate/latency', 'MetricTemplate/error-rate', 'MetricTemplate/datadog-latency'],
    ],
    [
      'valid/trafficsplits.yaml',
      ['TrafficSplit/podinfo', 'TrafficSplit/podinfo-v2', 'TrafficSplit/podinfo-ab', 'skipped'],
    ],
    ['valid/httproute.yaml', ['HTTPRoute/podinfo']],
  ]
  for (const [file, expected] of table) {
    it(`accepts ${file}`, () => {
      const found = loadDocs(file).map((doc) => {
        const r = validateDocument(doc)
        if (r.ok === 'skipped') return 'skipped'
        assert.equal(r.ok, true, `${file}: ${JSON.stringify(r)}`)
        return `${r.kind}/${String((doc['metadata'] as Doc)['name'])}`
      })
      assert.deepEqual(found, expected)
    })
  }

  it('reads every webhook type, and the strategy fields, as written', () => {
    const r = CanarySchema.parse(loadDoc('valid/webhooks.yaml'))
    const analysis = analysisOf(r.spec)!
    assert.deepEqual(
      analysis.webhooks?.map((w) => w.type),
      [
        'confirm-rollout',
        'pre-rollout',
        'rollout',
        '',
        'confirm-traffic-increase',
        'confirm-promotion',
        'post-rollout',
        'rollback',
        'event',
      ],
    )
    assert.deepEqual(analysis.stepWeights, [1, 5, 10, 25, 50])
    assert.equal(analysis.inconclusiveLimit, 3)
    assert.equal(analysis.rolloutWindows?.[0]?.timeZone, 'Europe/Berlin')
  })

  it("accepts every field of Istio's HTTPMatchRequest in match, as Flagger does", () => {
    const doc = loadDoc('valid/ab-testing.yaml')
    const analysis = (doc['spec'] as Doc)['analysis'] as Doc
    analysis['match'] = [
      {
        name: 'firefox-users',
        headers: { 'user-agent': { regex: '.*Firefox.*' } },
        withoutHeaders: { 'x-internal': { exact: 'true' } },
        uri: { prefix: '/api' },
        ignoreUriCase: true,
        scheme: { exact: 'https' },
        authority: { exact: 'app.example.com' },
        method: { exact: 'GET' },
        port: 443,
        gateways: ['istio-system/public-gateway'],
        sourceLabels: { app: 'frontend' },
        sourceNamespace: 'web',
      },
    ]
    const r = validateDocument(doc)
    assert.equal(r.ok, true, JSON.stringify(r))
  })

  it('keeps unknown metadata and top-level fields (loose objects)', () => {
    const doc = loadDoc('valid/blue-green.yaml')
    ;(doc['metadata'] as Doc)['managedFields'] = [{ manager: 'kubectl' }]
    const r = CanarySchema.parse(doc)
    assert.deepEqual(r.metadata['managedFields'], [{ manager: 'kubectl' }])
  })

  it('accepts a full status, fledge additions included', () => {
    const status = {
      phase: 'Progressing',
      canaryWeight: 12.5,
      failedChecks: 1,
      iterations: 0,
      trackedConfigs: { 'configmap/podinfo': 'abc123' },
      lastAppliedSpec: '5d8f9c',
      lastPromotedSpec: '4c7e8b',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      conditions: [{ type: 'Promoted', status: 'Unknown', reason: 'Progressing' }],
      observedGeneration: 3,
      stepStartedAt: '2026-01-01T00:00:00Z',
      waitingSince: '2026-01-01T00:00:00Z',
      rolloutStartedAt: '2026-01-01T00:00:00Z',
      mirrored: false,
      consecutiveInconclusive: 0,
      consecutiveErrors: 2,
      paused: true,
      lastCommand: 'pause-1',
      message: 'paused by fledge pause',
      measurements: [
        { metric: 'request-success-rate', outcome: 'Error', message: 'backend down', at: 'x' },
        { metric: 'request-duration', outcome: 'Successful', value: 120, weight: 125, at: 'x' },
      ],
    }
    assert.deepEqual(CanaryStatusSchema.parse(status), status)
  })
})

describe('helpers', () => {
  const canary = (): Canary => CanarySchema.parse(loadDoc('valid/podinfo-linkerd.yaml'))

  it('keys objects by namespace/name, default namespace when absent', () => {
    assert.equal(objectKey({ name: 'podinfo', namespace: 'test' }), 'test/podinfo')
    assert.equal(objectKey({ name: 'podinfo' }), 'default/podinfo')
  })

  it('names the apex service after service.name, else the target', () => {
    const c = canary()
    assert.equal(serviceName(c.spec), 'podinfo')
    c.spec.service.name = 'frontend'
    assert.equal(serviceName(c.spec), 'frontend')
  })

  it("reads analysis, or Flagger's deprecated canaryAnalysis", () => {
    const doc = loadDoc('valid/blue-green.yaml')
    const spec = doc['spec'] as Doc
    spec['canaryAnalysis'] = spec['analysis']
    delete spec['analysis']
    const c = CanarySchema.parse(doc)
    assert.equal(analysisOf(c.spec)?.iterations, 10)
    assert.equal(analysisOf(canary().spec)?.stepWeight, 5)
  })
})

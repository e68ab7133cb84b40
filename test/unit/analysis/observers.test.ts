import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fledgeObserver } from '../../../src/analysis/observers/fledge.js'
import { meshFor } from '../../../src/analysis/observers/factory.js'
import { linkerdObserver } from '../../../src/analysis/observers/linkerd.js'
import { templateModel } from '../../../src/analysis/render.js'
import { canaryWith } from '../../helpers/analysis-fixtures.js'

const model = templateModel(canaryWith([]), { name: 'request-success-rate' })

describe('builtin checks per mesh', () => {
  it("renders exactly Flagger's Linkerd success-rate query (whitespace collapsed)", () => {
    // The string asserted in flagger pkg/metrics/observers/linkerd_test.go, trimmed.
    assert.equal(
      linkerdObserver.successRate(model).promql,
      'sum( rate( response_total{ namespace="default", deployment=~"podinfo", classification!="failure", direction="inbound" }[1m] ) ) / sum( rate( response_total{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) * 100',
    )
  })

  it("renders Flagger's Linkerd p99 query", () => {
    assert.equal(
      linkerdObserver.requestDuration(model).promql,
      'histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) by (le) )',
    )
  })

  it("renders fledge's queries: the client side of each response, by destination", () => {
    assert.equal(
      fledgeObserver.successRate(model).promql,
      'sum( rate( response_total{ dst_namespace="default", dst_deployment=~"podinfo", classification!="failure", direction="outbound" }[1m] ) ) / sum( rate( response_total{ dst_namespace="default", dst_deployment=~"podinfo", direction="outbound" }[1m] ) ) * 100',
    )
    assert.equal(
      fledgeObserver.requestDuration(model).promql,
      'histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ dst_namespace="default", dst_deployment=~"podinfo", direction="outbound" }[1m] ) ) by (le) )',
    )
  })

  it('carries typed models equal in meaning to the PromQL', () => {
    assert.deepEqual(linkerdObserver.successRate(model).model, {
      kind: 'ratio',
      metric: 'response_total',
      numerator: [
        { name: 'namespace', op: '=', value: 'default' },
        { name: 'deployment', op: '=~', value: 'podinfo' },
        { name: 'direction', op: '=', value: 'inbound' },
        { name: 'classification', op: '!=', value: 'failure' },
      ],
      denominator: [
        { name: 'namespace', op: '=', value: 'default' },
        { name: 'deployment', op: '=~', value: 'podinfo' },
        { name: 'direction', op: '=', value: 'inbound' },
      ],
      windowMs: 60_000,
      scale: 100,
    })
    assert.equal(
      fledgeObserver.failures(model).promql,
      'sum(increase(response_total{dst_namespace="default", dst_deployment=~"podinfo", direction="outbound", classification="failure"}[1m]))',
    )
    assert.equal(
      fledgeObserver.latencyBuckets(model).promql,
      'sum(increase(response_latency_ms_bucket{dst_namespace="default", dst_deployment=~"podinfo", direction="outbound"}[1m])) by (le)',
    )
  })

  it('picks the mesh from spec.provider, with no silent fallback', () => {
    assert.equal(meshFor(undefined), 'fledge')
    assert.equal(meshFor('fledge', 'linkerd'), 'fledge')
    assert.equal(meshFor('linkerd'), 'linkerd')
    assert.equal(meshFor('smi:v1alpha2'), 'linkerd')
    assert.equal(meshFor('gatewayapi:v1', 'linkerd'), 'linkerd')
    assert.equal(meshFor('kubernetes'), 'fledge')
    assert.equal(meshFor('istio'), undefined)
  })
})

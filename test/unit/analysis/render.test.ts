import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { renderTemplate, templateModel } from '../../../src/analysis/render.js'
import type { FledgeError } from '../../../src/util/errors.js'
import { ErrorCodes } from '../../../src/util/errors.js'
import { canaryWith } from '../../helpers/analysis-fixtures.js'

const canary = canaryWith([], { name: 'shop', namespace: 'prod', target: 'podinfo' })
canary.spec.service.name = 'podinfo-svc'
canary.spec.ingressRef = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  name: 'shop-ingress',
}
const metric = {
  name: 'errors',
  interval: '30s',
  templateVariables: { direction: 'inbound', code: '5..' },
}

describe('query templating', () => {
  it('fills every field of the Flagger template model', () => {
    const m = templateModel(canary, metric)
    const out = renderTemplate(
      '{{ name }} {{ namespace }} {{ target }} {{ service }} {{ ingress }} {{ route }} {{ interval }} {{ variables.direction }}',
      m,
      'test',
    )
    assert.equal(out, 'shop prod podinfo podinfo-svc shop-ingress podinfo 30s inbound')
  })

  it('defaults the interval to 1m and accepts the Go-template forms', () => {
    const m = templateModel(canary, { name: 'x', templateVariables: { code: '5..' } })
    assert.equal(
      renderTemplate('{{.interval}}|{{- target -}}|{{ index .variables "code" }}', m, 't'),
      '1m|podinfo|5..',
    )
  })

  it('renders the primary when asked, for comparisons', () => {
    assert.equal(
      renderTemplate('{{ target }}', templateModel(canary, metric, 'podinfo-primary'), 't'),
      'podinfo-primary',
    )
  })

  it('names a missing variable instead of leaving an empty string in the query', () => {
    const m = templateModel(canary, metric)
    assert.throws(
      () =>
        renderTemplate(
          'rate(x{code="{{ variables.status }}"}[1m])',
          m,
          'MetricTemplate prod/errors',
        ),
      (err: FledgeError) =>
        err.code === ErrorCodes.MISSING_VARIABLE &&
        err.message === 'MetricTemplate prod/errors: variable "variables.status" is not defined',
    )
    assert.throws(
      () => renderTemplate('{{ cluster }}', m, 't'),
      /variable "cluster" is not defined/,
    )
  })

  it('rejects template actions it does not evaluate', () => {
    assert.throws(
      () => renderTemplate('{{ if .x }}a{{ end }}', templateModel(canary, metric), 't'),
      (err: FledgeError) =>
        err.code === ErrorCodes.INVALID_SPEC && err.message.includes('unsupported template action'),
    )
  })
})

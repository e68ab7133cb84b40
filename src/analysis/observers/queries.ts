import type { LabelMatcher } from '../query-model.js'
import type { TemplateModel } from '../render.js'

/** Which labels pick a workload's responses: Linkerd's inbound side, or fledge's outbound one. */
export interface WorkloadLabels {
  readonly namespace: string
  readonly deployment: string
  readonly direction: 'inbound' | 'outbound'
}

/**
 * The builtin checks as PromQL templates over Linkerd's metric names: success rate in percent of
 * non-failure responses, and p99 latency in ms. With Linkerd's labels they are Flagger's queries
 * (pkg/metrics/observers/linkerd.go) to the character.
 */
export function builtinQueries(l: WorkloadLabels): {
  successRate: string
  requestDuration: string
} {
  const selector = (indent: string, failure: boolean): string =>
    [
      `${l.namespace}="{{ namespace }}"`,
      `${l.deployment}=~"{{ target }}"`,
      ...(failure ? ['classification!="failure"'] : []),
      `direction="${l.direction}"`,
    ].join(`,\n${indent}`)
  const successRate = `
sum(
  rate(
    response_total{
      ${selector('      ', true)}
    }[{{ interval }}]
  )
)
/
sum(
  rate(
    response_total{
      ${selector('      ', false)}
    }[{{ interval }}]
  )
)
* 100`
  const requestDuration = `
histogram_quantile(
  0.99,
  sum(
    rate(
      response_latency_ms_bucket{
        ${selector('        ', false)}
      }[{{ interval }}]
    )
  ) by (le)
)`
  return { successRate, requestDuration }
}

/** The same labels as the typed selector the in-process provider matches series with. */
export function selectorOf(l: WorkloadLabels): (m: TemplateModel) => LabelMatcher[] {
  return (m) => [
    { name: l.namespace, op: '=', value: m.namespace },
    { name: l.deployment, op: '=~', value: m.target },
    { name: 'direction', op: '=', value: l.direction },
  ]
}

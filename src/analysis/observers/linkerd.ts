import { createObserver, type Observer } from './observer.js'

// Flagger's Linkerd builtin queries, verbatim (pkg/metrics/observers/linkerd.go), so an existing
// Linkerd install works as is: inbound responses of the canary's own pods, by Deployment name.
const SUCCESS_RATE = `
sum(
  rate(
    response_total{
      namespace="{{ namespace }}",
      deployment=~"{{ target }}",
      classification!="failure",
      direction="inbound"
    }[{{ interval }}]
  )
)
/
sum(
  rate(
    response_total{
      namespace="{{ namespace }}",
      deployment=~"{{ target }}",
      direction="inbound"
    }[{{ interval }}]
  )
)
* 100`

const REQUEST_DURATION = `
histogram_quantile(
  0.99,
  sum(
    rate(
      response_latency_ms_bucket{
        namespace="{{ namespace }}",
        deployment=~"{{ target }}",
        direction="inbound"
      }[{{ interval }}]
    )
  ) by (le)
)`

/** Builtin checks over Linkerd's proxy metrics, as Flagger runs them. */
export const linkerdObserver: Observer = createObserver({
  mesh: 'linkerd',
  successRateTemplate: SUCCESS_RATE,
  requestDurationTemplate: REQUEST_DURATION,
  selector: (m) => [
    { name: 'namespace', op: '=', value: m.namespace },
    { name: 'deployment', op: '=~', value: m.target },
    { name: 'direction', op: '=', value: 'inbound' },
  ],
})

import { createObserver, type Observer } from './observer.js'

// fledge's proxy exports Linkerd's metric names with `namespace` and `deployment` set to the
// workload a response came from (the canary target or `<target>-primary`). One fledge proxy hop
// records each response once, so no `direction` filter is needed: the queries are Linkerd's
// without it, and therefore also work when the proxy runs as a gateway (outbound) or a sidecar.
const SUCCESS_RATE = `
sum(
  rate(
    response_total{
      namespace="{{ namespace }}",
      deployment=~"{{ target }}",
      classification!="failure"
    }[{{ interval }}]
  )
)
/
sum(
  rate(
    response_total{
      namespace="{{ namespace }}",
      deployment=~"{{ target }}"
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
        deployment=~"{{ target }}"
      }[{{ interval }}]
    )
  ) by (le)
)`

/** Builtin checks over the metrics of fledge's embedded proxy. */
export const fledgeObserver: Observer = createObserver({
  mesh: 'fledge',
  successRateTemplate: SUCCESS_RATE,
  requestDurationTemplate: REQUEST_DURATION,
  selector: (m) => [
    { name: 'namespace', op: '=', value: m.namespace },
    { name: 'deployment', op: '=~', value: m.target },
  ],
})

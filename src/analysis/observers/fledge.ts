import { createObserver, type Observer } from './observer.js'

// fledge's proxy records every attempt twice, with Linkerd's names: as the client side sees it
// (`direction="outbound"`, `dst_namespace`/`dst_deployment` = the workload the request was sent to)
// and as the backend's own proxy would (`direction="inbound"`, `namespace`/`deployment`). The
// builtin checks read the outbound side: there, a refused connection or a request failed fast by the
// circuit breaker counts as a failure of the workload it was meant for, so a canary that crashes
// fails its check instead of merely going silent (the inbound side never sees those requests).
const SUCCESS_RATE = `
sum(
  rate(
    response_total{
      dst_namespace="{{ namespace }}",
      dst_deployment=~"{{ target }}",
      classification!="failure",
      direction="outbound"
    }[{{ interval }}]
  )
)
/
sum(
  rate(
    response_total{
      dst_namespace="{{ namespace }}",
      dst_deployment=~"{{ target }}",
      direction="outbound"
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
        dst_namespace="{{ namespace }}",
        dst_deployment=~"{{ target }}",
        direction="outbound"
      }[{{ interval }}]
    )
  ) by (le)
)`

/** Builtin checks over the metrics of fledge's embedded proxy (client side, by destination). */
export const fledgeObserver: Observer = createObserver({
  mesh: 'fledge',
  successRateTemplate: SUCCESS_RATE,
  requestDurationTemplate: REQUEST_DURATION,
  selector: (m) => [
    { name: 'dst_namespace', op: '=', value: m.namespace },
    { name: 'dst_deployment', op: '=~', value: m.target },
    { name: 'direction', op: '=', value: 'outbound' },
  ],
})

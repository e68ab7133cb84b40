import { createObserver, type Observer } from './observer.js'
import { builtinQueries, selectorOf } from './queries.js'

// fledge's proxy records every attempt twice, with Linkerd's names: as the client side sees it
// (`direction="outbound"`, `dst_namespace`/`dst_deployment` = the workload the request was sent to)
// and as the backend's own proxy would (`direction="inbound"`, `namespace`/`deployment`). The
// builtin checks read the outbound side: there, a refused connection or a request failed fast by the
// circuit breaker counts as a failure of the workload it was meant for, so a canary that crashes
// fails its check instead of merely going silent (the inbound side never sees those requests).
const LABELS = {
  namespace: 'dst_namespace',
  deployment: 'dst_deployment',
  direction: 'outbound',
} as const
const QUERIES = builtinQueries(LABELS)

/** Builtin checks over the metrics of fledge's embedded proxy (client side, by destination). */
export const fledgeObserver: Observer = createObserver({
  mesh: 'fledge',
  successRateTemplate: QUERIES.successRate,
  requestDurationTemplate: QUERIES.requestDuration,
  selector: selectorOf(LABELS),
})

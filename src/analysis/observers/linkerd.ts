import { createObserver, type Observer } from './observer.js'
import { builtinQueries, selectorOf } from './queries.js'

// Flagger's Linkerd builtin queries, verbatim (pkg/metrics/observers/linkerd.go), so an existing
// Linkerd install works as is: inbound responses of the canary's own pods, by Deployment name.
const LABELS = {
  namespace: 'namespace',
  deployment: 'deployment',
  direction: 'inbound',
} as const
const QUERIES = builtinQueries(LABELS)

/** Builtin checks over Linkerd's proxy metrics, as Flagger runs them. */
export const linkerdObserver: Observer = createObserver({
  mesh: 'linkerd',
  successRateTemplate: QUERIES.successRate,
  requestDurationTemplate: QUERIES.requestDuration,
  selector: selectorOf(LABELS),
})

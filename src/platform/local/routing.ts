import type { TrafficSplit } from '../../api/traffic-split.js'
import { splitBackends } from '../../api/traffic-split.js'
import type { RouteWeights } from '../../controller/ports.js'

/** A service as the proxy sees it: a name clients use, endpoints, and metric labels. */
export interface ProxyService {
  readonly name: string
  readonly endpoints: readonly { readonly ip: string; readonly port: number }[]
  /** `deployment` label on the proxy's metrics: whose traffic this is. */
  readonly deployment: string
  readonly namespace: string
}

export interface ProxySplit {
  readonly name: string
  readonly namespace: string
  readonly service: string
  readonly backends: readonly { readonly service: string; readonly weight: number }[]
}

/** A canaried service: the apex clients use, the workload names behind it, its current weights. */
export interface CanaryRoute {
  readonly apex: string
  readonly namespace: string
  readonly primary: {
    readonly service: string
    readonly deployment: string
    readonly endpoints: ProxyService['endpoints']
  }
  readonly canary: {
    readonly service: string
    readonly deployment: string
    readonly endpoints: ProxyService['endpoints']
  }
  /** Undefined until the Canary is initialized: then the apex is the target's own service. */
  readonly weights: RouteWeights | undefined
}

export interface DesiredRoutes {
  readonly services: readonly ProxyService[]
  readonly splits: readonly ProxySplit[]
}

/**
 * What the proxy should hold. Each canaried apex gets `-primary` and `-canary` services and a split
 * between them by the Canary's weights. A user's TrafficSplit on the same apex (the fault-injection
 * recipe: `books` 900m, `error-injector` 100m) wraps it: its self-referencing backend takes the
 * canary split's backends, scaled by its weight, so both hold at once.
 */
export function composeRoutes(
  plain: readonly ProxyService[],
  canaries: readonly CanaryRoute[],
  userSplits: readonly TrafficSplit[],
): DesiredRoutes {
  const services = new Map<string, ProxyService>()
  for (const s of plain) services.set(s.name, s)
  const canarySplits = new Map<string, ProxySplit>()
  for (const c of canaries) {
    services.set(c.primary.service, {
      name: c.primary.service,
      endpoints: c.primary.endpoints,
      deployment: c.primary.deployment,
      namespace: c.namespace,
    })
    services.set(c.canary.service, {
      name: c.canary.service,
      endpoints: c.canary.endpoints,
      deployment: c.canary.deployment,
      namespace: c.namespace,
    })
    if (c.weights === undefined) continue
    // The apex itself resolves to the primary: what a client gets if every split vanished.
    services.set(c.apex, {
      name: c.apex,
      endpoints: c.primary.endpoints,
      deployment: c.primary.deployment,
      namespace: c.namespace,
    })
    canarySplits.set(c.apex, {
      name: c.apex,
      namespace: c.namespace,
      service: c.apex,
      backends: [
        { service: c.primary.service, weight: c.weights.primary },
        { service: c.canary.service, weight: c.weights.canary },
      ],
    })
  }
  const splits = new Map(canarySplits)
  for (const ts of userSplits) {
    const root = ts.spec.service
    const inner = canarySplits.get(root)
    const backends = splitBackends(ts).flatMap((b) =>
      b.service === root && inner !== undefined
        ? inner.backends.map((ib) => ({ service: ib.service, weight: b.weight * ib.weight }))
        : [{ service: b.service, weight: b.weight * 1000 }],
    )
    splits.set(root, {
      name: ts.metadata.name,
      namespace: ts.metadata.namespace ?? 'default',
      service: root,
      backends,
    })
  }
  return { services: [...services.values()], splits: [...splits.values()] }
}

/** The canary share of a split as the proxy holds it, for verifyRoutes. */
export function weightsIn(
  split:
    | { readonly backends: readonly { readonly service: string; readonly weight: number }[] }
    | undefined,
  route: Pick<CanaryRoute, 'primary' | 'canary'>,
): { primary: number; canary: number } | undefined {
  if (split === undefined) return undefined
  const p = split.backends.find((b) => b.service === route.primary.service)?.weight ?? 0
  const c = split.backends.find((b) => b.service === route.canary.service)?.weight ?? 0
  if (p + c === 0) return { primary: 0, canary: 0 }
  const canary = Math.round((c * 1000) / (p + c))
  return { primary: 1000 - canary, canary }
}

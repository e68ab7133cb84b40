/**
 * The routing table: an immutable snapshot of services, their endpoints and the TrafficSplits over
 * them. Pure: no I/O, no clock. A new table is built beside the old one and swapped in whole, so a
 * request holds the snapshot it started with.
 */
import type { Endpoint } from './disco.js'
import type { RetryOn } from './config-schema.js'

export interface ServiceEntry {
  readonly name: string
  readonly endpoints: readonly Endpoint[]
  /** Inbound-side metric labels (`deployment`, `namespace`); default: the service name. */
  readonly deployment?: string | undefined
  readonly namespace?: string | undefined
  readonly timeoutMs?: number | undefined
  readonly retryOn?: readonly RetryOn[] | undefined
}

export interface SplitBackend {
  readonly service: string
  /** Milli-units; the backends of a split add up to 1000 (or are all 0). */
  readonly weight: number
}

export interface SplitEntry {
  /** The TrafficSplit's metadata.name. */
  readonly name: string
  readonly namespace?: string | undefined
  /** The apex service clients address. */
  readonly service: string
  readonly backends: readonly SplitBackend[]
  /** Bumped each time this split's backends or weights change; survives unchanged rebuilds. */
  readonly generation: number
}

export interface RouteTable {
  /** Bumped on every swap. */
  readonly version: number
  readonly services: ReadonlyMap<string, ServiceEntry>
  /** Keyed by apex service. */
  readonly splits: ReadonlyMap<string, SplitEntry>
}

export type SplitInput = Omit<SplitEntry, 'generation'>

export interface TableInput {
  readonly services: readonly ServiceEntry[]
  readonly splits: readonly SplitInput[]
}

export interface TableIssue {
  readonly subject: string
  readonly message: string
}

export const EMPTY_TABLE: RouteTable = { version: 0, services: new Map(), splits: new Map() }

/**
 * Builds the next table. Generations carry over from `previous` for splits whose content did not
 * change, so a reader can tell whether its write has been applied.
 */
export function buildRouteTable(
  input: TableInput,
  previous: RouteTable = EMPTY_TABLE,
): { table: RouteTable; issues: TableIssue[] } {
  const issues: TableIssue[] = []
  const services = new Map<string, ServiceEntry>()
  for (const s of input.services) {
    if (services.has(s.name)) {
      issues.push({ subject: `service ${s.name}`, message: 'defined twice' })
      continue
    }
    services.set(s.name, s)
  }
  const prevByName = new Map<string, SplitEntry>()
  for (const s of previous.splits.values()) prevByName.set(s.name, s)
  const splits = new Map<string, SplitEntry>()
  for (const s of input.splits) {
    const other = splits.get(s.service)
    if (other !== undefined) {
      issues.push({
        subject: `TrafficSplit ${s.name}`,
        message: `service ${s.service} is already split by TrafficSplit ${other.name}`,
      })
      continue
    }
    const prev = prevByName.get(s.name)
    const generation =
      prev === undefined ? 1 : sameSplit(prev, s) ? prev.generation : prev.generation + 1
    splits.set(s.service, { ...s, backends: [...s.backends], generation })
  }
  return { table: { version: previous.version + 1, services, splits }, issues }
}

function sameSplit(a: SplitInput, b: SplitInput): boolean {
  return (
    a.service === b.service &&
    a.backends.length === b.backends.length &&
    a.backends.every(
      (x, i) => x.service === b.backends[i]?.service && x.weight === b.backends[i].weight,
    )
  )
}

const CLUSTER_SUFFIX = /\.svc(\.cluster\.local)?\.?$/

/**
 * Finds the service an authority names: `books`, `books:7002`, `BOOKS:7002`, and the Kubernetes
 * forms `books.ns.svc.cluster.local[:port]`. The port is ignored once the name matches.
 */
export function resolveService(table: RouteTable, authority: string): string | undefined {
  const host = hostOf(authority).toLowerCase()
  if (host === '') return undefined
  if (table.services.has(host) || table.splits.has(host)) return host
  if (CLUSTER_SUFFIX.test(host)) {
    const short = host.split('.')[0] ?? ''
    if (table.services.has(short) || table.splits.has(short)) return short
  }
  return undefined
}

/** The host part of an authority, without port or IPv6 brackets. */
export function hostOf(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']')
    return end < 0 ? authority : authority.slice(1, end)
  }
  const colon = authority.indexOf(':')
  return colon < 0 ? authority : authority.slice(0, colon)
}

/**
 * Picks a backend by weight among those `available` says can serve. `r` is uniform in [0, 1).
 * Unavailable backends are skipped and the others keep their relative weights (Linkerd ≥ 2.13).
 * Returns undefined when no backend with weight can serve.
 */
export function pickBackend(
  backends: readonly SplitBackend[],
  r: number,
  available: (service: string) => boolean = () => true,
): string | undefined {
  let total = 0
  let all = true
  for (const b of backends) {
    if (b.weight <= 0) continue
    if (available(b.service)) total += b.weight
    else all = false
  }
  if (total <= 0) return undefined
  let x = r * total
  for (const b of backends) {
    if (b.weight <= 0 || (!all && !available(b.service))) continue
    x -= b.weight
    if (x < 0) return b.service
  }
  // Floating-point edge (r close to 1): the last eligible backend.
  for (let i = backends.length - 1; i >= 0; i--) {
    const b = backends[i]
    if (b !== undefined && b.weight > 0 && (all || available(b.service))) return b.service
  }
  return undefined
}

/** The candidate backends of a service: its split's, or the service itself. */
export function backendsOf(table: RouteTable, service: string): readonly SplitBackend[] {
  const split = table.splits.get(service)
  return split === undefined ? [{ service, weight: 1000 }] : split.backends
}

/** The table as `/config` shows it. */
export function describeTable(table: RouteTable): unknown {
  return {
    version: table.version,
    services: [...table.services.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({
        name: s.name,
        endpoints: s.endpoints.map((e) => ({ ip: e.ip, port: e.port, weight: e.weight })),
        ...(s.deployment === undefined ? {} : { deployment: s.deployment }),
        ...(s.namespace === undefined ? {} : { namespace: s.namespace }),
      })),
    trafficSplits: [...table.splits.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({
        name: s.name,
        ...(s.namespace === undefined ? {} : { namespace: s.namespace }),
        service: s.service,
        generation: s.generation,
        backends: s.backends.map((b) => ({ service: b.service, weight: `${b.weight}m` })),
      })),
  }
}

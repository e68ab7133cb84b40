import { CanarySchema, objectKey, serviceName, type Canary } from '../../api/canary.js'
import type { RouteWeights } from '../../controller/ports.js'
import type { Deployment, PodTemplate } from './manifest-schemas.js'
import type { ManifestSet } from './manifests.js'
import {
  composeRoutes,
  type CanaryRoute,
  type DesiredRoutes,
  type ProxyService,
} from './routing.js'
import { fileKey, keyFile, type StateDir } from './state-dir.js'

/** What local mode remembers per canaried Deployment and per Canary, persisted to resume. */
export interface PrimaryState {
  readonly template: PodTemplate
}

/**
 * The local "cluster": desired state from the manifests, plus what fledge has done to it (primaries,
 * canary scale, routes), persisted in the state directory. Pure bookkeeping and derivations; the
 * platform turns them into processes and proxy routes.
 */
export class LocalCluster {
  manifests: ManifestSet | undefined
  /** Last valid version of each Canary, so a typo never changes what runs. */
  readonly validCanaries = new Map<string, Canary>()
  /** Canaries deleted from the directory, reverted gracefully before they go (tombstones). */
  readonly deleted = new Map<string, Canary>()
  readonly primaries = new Map<string, PrimaryState>()
  /** Canary (target) replicas, by Deployment key, once a Canary manages it. */
  readonly scales = new Map<string, number>()
  readonly routes = new Map<string, { apex: string; weights: RouteWeights }>()
  readonly #state: StateDir

  constructor(state: StateDir) {
    this.#state = state
  }

  async load(): Promise<void> {
    for (const f of await this.#state.list('primaries')) {
      const p = await this.#state.readJson<PrimaryState>('primaries', f)
      if (p !== undefined) this.primaries.set(fileKey(f), p)
    }
    for (const f of await this.#state.list('scales')) {
      const s = await this.#state.readJson<{ replicas: number }>('scales', f)
      if (s !== undefined) this.scales.set(fileKey(f), s.replicas)
    }
    for (const f of await this.#state.list('routes')) {
      const r = await this.#state.readJson<{ apex: string; weights: RouteWeights }>('routes', f)
      if (r !== undefined) this.routes.set(fileKey(f), r)
    }
    for (const f of await this.#state.list('deleted')) {
      const c = await this.#state.readJson<Canary>('deleted', f)
      if (c !== undefined) this.deleted.set(fileKey(f), c)
    }
  }

  /** Takes a new manifest set; a Canary that disappeared becomes a tombstone if it managed anything. */
  async update(set: ManifestSet, now: number): Promise<void> {
    const before = new Map(this.validCanaries)
    this.manifests = set
    for (const [key, raw] of set.canaries) {
      const parsed = CanarySchema.safeParse(raw)
      if (parsed.success) this.validCanaries.set(key, parsed.data)
      this.deleted.delete(key)
    }
    for (const [key, canary] of before) {
      if (set.canaries.has(key)) continue
      this.validCanaries.delete(key)
      if (this.primaries.has(this.targetKey(canary))) {
        // Local mode always gives the target its traffic back before letting go.
        const tombstone: Canary = {
          ...canary,
          metadata: { ...canary.metadata, deletionTimestamp: new Date(now).toISOString() },
          spec: { ...canary.spec, revertOnDeletion: true },
        }
        this.deleted.set(key, tombstone)
        await this.#state.writeJson(tombstone, 'deleted', keyFile(key))
      }
    }
  }

  /** Canaries the engine runs: declared ones (valid or not) and tombstones. */
  canaryObjects(): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>(this.manifests?.canaries ?? [])
    for (const [k, c] of this.deleted) out.set(k, c)
    return out
  }

  targetKey(canary: Canary): string {
    return objectKey({ name: canary.spec.targetRef.name, namespace: canary.metadata.namespace })
  }

  /** The Canary managing a Deployment, if any (a live one first, else a tombstone). */
  canaryFor(deploymentKey: string): Canary | undefined {
    for (const c of [...this.validCanaries.values(), ...this.deleted.values()]) {
      if (this.targetKey(c) === deploymentKey) return c
    }
    return undefined
  }

  deployment(canary: Canary): Deployment | undefined {
    return this.manifests?.deployments.get(this.targetKey(canary))
  }

  async setPrimary(deploymentKey: string, template: PodTemplate): Promise<void> {
    this.primaries.set(deploymentKey, { template })
    await this.#state.writeJson({ template }, 'primaries', keyFile(deploymentKey))
  }

  async setScale(deploymentKey: string, replicas: number): Promise<void> {
    this.scales.set(deploymentKey, replicas)
    await this.#state.writeJson({ replicas }, 'scales', keyFile(deploymentKey))
  }

  async setRoutes(canaryKey: string, apex: string, weights: RouteWeights): Promise<void> {
    this.routes.set(canaryKey, { apex, weights })
    await this.#state.writeJson({ apex, weights }, 'routes', keyFile(canaryKey))
  }

  /** Forgets everything fledge did for a Canary: its target runs alone again. */
  async release(canaryKey: string): Promise<void> {
    const canary = this.validCanaries.get(canaryKey) ?? this.deleted.get(canaryKey)
    this.routes.delete(canaryKey)
    this.deleted.delete(canaryKey)
    await this.#state.remove('routes', keyFile(canaryKey))
    await this.#state.remove('deleted', keyFile(canaryKey))
    if (canary === undefined) return
    const target = this.targetKey(canary)
    this.primaries.delete(target)
    this.scales.delete(target)
    await this.#state.remove('primaries', keyFile(target))
    await this.#state.remove('scales', keyFile(target))
  }

  /** What should run: `key → (template, replicas)` for every workload process set. */
  workloads(): Map<string, { template: PodTemplate; replicas: number }> {
    const out = new Map<string, { template: PodTemplate; replicas: number }>()
    for (const [key, d] of this.manifests?.deployments ?? []) {
      const primary = this.canaryFor(key) === undefined ? undefined : this.primaries.get(key)
      if (primary === undefined) {
        out.set(key, { template: d.spec.template, replicas: d.spec.replicas })
        continue
      }
      out.set(`${key}-primary`, { template: primary.template, replicas: d.spec.replicas })
      out.set(key, { template: d.spec.template, replicas: this.scales.get(key) ?? d.spec.replicas })
    }
    return out
  }

  /** The proxy's routing table, from Services, canary routes and the user's TrafficSplits. */
  desiredRoutes(endpoints: (workloadKey: string) => ProxyService['endpoints']): DesiredRoutes {
    const set = this.manifests
    if (set === undefined) return { services: [], splits: [] }
    const canaryRoutes: CanaryRoute[] = []
    const apexes = new Set<string>()
    for (const [key, canary] of [...this.validCanaries, ...this.deleted]) {
      const target = this.targetKey(canary)
      if (!set.deployments.has(target) || !this.primaries.has(target)) continue
      const apex = serviceName(canary.spec)
      const name = canary.spec.targetRef.name
      const primaryEndpoints = endpoints(`${target}-primary`)
      const canaryEndpoints = endpoints(target)
      const weights = effectiveWeights(
        this.routes.get(key)?.weights,
        primaryEndpoints.length > 0,
        canaryEndpoints.length > 0,
      )
      canaryRoutes.push({
        apex,
        namespace: canary.metadata.namespace ?? 'default',
        primary: {
          service: `${apex}-primary`,
          deployment: `${name}-primary`,
          endpoints: primaryEndpoints,
        },
        canary: { service: `${apex}-canary`, deployment: name, endpoints: canaryEndpoints },
        weights,
      })
      if (weights !== undefined) apexes.add(apex)
    }
    const plain: ProxyService[] = []
    for (const svc of set.services.values()) {
      if (apexes.has(svc.metadata.name)) continue
      const selected = [...set.deployments].filter(([, d]) =>
        selects(svc.spec.selector, d.spec.template.metadata?.labels),
      )
      plain.push({
        name: svc.metadata.name,
        endpoints: selected.flatMap(([k]) => [...endpoints(k), ...endpoints(`${k}-primary`)]),
        deployment: selected[0]?.[1].metadata.name ?? svc.metadata.name,
        namespace: svc.metadata.namespace ?? 'default',
      })
    }
    return composeRoutes(plain, canaryRoutes, [...set.trafficSplits.values()])
  }
}

/**
 * The weights the data plane can apply now. Until the primary serves, the apex stays on the
 * target's own replicas (no split). A canary with no ready replica (starting after a restart, or
 * crashed) cannot take its share: it goes to the primary, and verifyRoutes reports the stored
 * weights as not applied until the canary is back.
 */
export function effectiveWeights(
  weights: RouteWeights | undefined,
  primaryServes: boolean,
  canaryServes: boolean,
): RouteWeights | undefined {
  if (weights === undefined || !primaryServes) return undefined
  if (!canaryServes && weights.canary > 0) return { ...weights, primary: 1000, canary: 0 }
  return weights
}

function selects(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v)
}

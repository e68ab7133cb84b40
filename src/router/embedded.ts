import { objectKey, serviceName, type Canary } from '../api/canary.js'
import type { RouteWeights, TrafficProvider } from '../controller/ports.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'

/**
 * What the embedded proxy's owner (local mode) offers the traffic provider: canary weights per
 * apex service, applied to the in-process routing table atomically, and read back from it.
 */
export interface EmbeddedRouting {
  /** Stores and applies weights for a Canary's apex service. */
  setCanaryRoutes(
    canaryKey: string,
    apex: string,
    weights: RouteWeights,
    signal: AbortSignal,
  ): Promise<void>
  /** The weights stored for the Canary, undefined before the first write. */
  getCanaryRoutes(canaryKey: string): RouteWeights | undefined
  /** True when the routing table in force sends traffic by these weights. */
  applied(canaryKey: string, weights: RouteWeights): boolean
  /** Forgets the Canary's routes: the apex goes back to the target's own replicas. */
  clearCanaryRoutes(canaryKey: string, signal: AbortSignal): Promise<void>
}

const PRIMARY_ONLY: RouteWeights = { primary: 1000, canary: 0, mirror: false }

/**
 * The `fledge` provider: fledge's own proxy, embedded in process. Weight changes are atomic table
 * swaps, so verifyRoutes is exact. Mirroring and A/B header matching are not offered by the
 * embedded proxy yet and are refused with a clear error rather than silently ignored.
 */
export function createEmbeddedTrafficProvider(routing: EmbeddedRouting): TrafficProvider {
  const key = (c: Canary): string => objectKey(c.metadata)
  return {
    name: 'fledge',
    async reconcile(canary, signal) {
      if (routing.getCanaryRoutes(key(canary)) === undefined) {
        await routing.setCanaryRoutes(key(canary), serviceName(canary.spec), PRIMARY_ONLY, signal)
      }
    },
    async setRoutes(canary, weights, signal) {
      if (weights.mirror || weights.match === true) {
        throw new FledgeError(
          ErrorCodes.TRAFFIC,
          `Canary ${key(canary)}: the embedded proxy does not support ${weights.mirror ? 'traffic mirroring' : 'A/B header matching'}`,
        )
      }
      await routing.setCanaryRoutes(key(canary), serviceName(canary.spec), weights, signal)
    },
    getRoutes(canary) {
      return Promise.resolve(routing.getCanaryRoutes(key(canary)) ?? PRIMARY_ONLY)
    },
    verifyRoutes(canary, weights) {
      return Promise.resolve(routing.applied(key(canary), weights))
    },
    async finalize(canary, signal) {
      await routing.clearCanaryRoutes(key(canary), signal)
    },
  }
}

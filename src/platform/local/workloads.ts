import type { Canary } from '../../api/canary.js'
import type { Readiness, Revision, Workloads } from '../../controller/ports.js'
import { ErrorCodes, FledgeError } from '../../util/errors.js'
import type { LocalCluster } from './cluster.js'
import type { Deployment } from './manifest-schemas.js'
import { templateHash, type ProcessRunner } from './runner.js'

/**
 * The Workloads port in local mode: the target Deployment's processes are the canary, a
 * `<target>-primary` set of processes runs the promoted template. Every write is persisted before
 * the processes are changed, so a restart converges to the same place.
 */
export function createLocalWorkloads(
  cluster: LocalCluster,
  runner: ProcessRunner,
  reconcile: () => void,
): Workloads {
  const target = (canary: Canary): { key: string; deployment: Deployment } => {
    const key = cluster.targetKey(canary)
    const deployment = cluster.manifests?.deployments.get(key)
    if (deployment === undefined) {
      throw new FledgeError(
        ErrorCodes.NOT_FOUND,
        `Deployment ${key} (the Canary's targetRef) is not in the manifests`,
      )
    }
    return { key, deployment }
  }
  const readiness = (workloadKey: string, desiredHash: string | undefined): Readiness => {
    const s = runner.status(workloadKey)
    if (s === undefined) return { ready: false, message: 'not running' }
    if (s.failed !== undefined) return { ready: false, failed: true, message: s.failed }
    if (desiredHash !== undefined && s.hash !== desiredHash)
      return { ready: false, message: 'rolling out' }
    if (s.desired === 0) return { ready: false, message: 'scaled to zero' }
    return { ready: s.ready >= s.desired, message: s.message }
  }
  return {
    revision(canary) {
      const { deployment } = target(canary)
      const revision: Revision = { specHash: templateHash(deployment.spec.template), configs: {} }
      return Promise.resolve(revision)
    },
    async initialize(canary) {
      const { key, deployment } = target(canary)
      if (cluster.primaries.has(key)) return
      await cluster.setPrimary(key, deployment.spec.template)
      await cluster.setScale(key, deployment.spec.replicas)
      reconcile()
    },
    primaryReadiness(canary) {
      const { key } = target(canary)
      const primary = cluster.primaries.get(key)
      if (primary === undefined)
        return Promise.resolve({ ready: false, message: 'primary not created' })
      return Promise.resolve(readiness(`${key}-primary`, templateHash(primary.template)))
    },
    canaryReadiness(canary) {
      const { key, deployment } = target(canary)
      return Promise.resolve(readiness(key, templateHash(deployment.spec.template)))
    },
    async scaleUpCanary(canary) {
      const { key, deployment } = target(canary)
      await cluster.setScale(key, Math.max(1, deployment.spec.replicas))
      reconcile()
    },
    async scaleDownCanary(canary) {
      const { key } = target(canary)
      await cluster.setScale(key, 0)
      reconcile()
    },
    async promote(canary) {
      const { key, deployment } = target(canary)
      await cluster.setPrimary(key, deployment.spec.template)
      reconcile()
    },
    async revertTarget(canary) {
      const { key, deployment } = target(canary)
      await cluster.setScale(key, Math.max(1, deployment.spec.replicas))
      reconcile()
    },
  }
}

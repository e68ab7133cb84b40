import type { CanarySpec } from '../../api/canary-spec.js'
import { fledgeObserver } from './fledge.js'
import { linkerdObserver } from './linkerd.js'
import type { Mesh, Observer } from './observer.js'

export function observerFor(mesh: Mesh): Observer {
  switch (mesh) {
    case 'fledge':
      return fledgeObserver
    case 'linkerd':
      return linkerdObserver
  }
}

/**
 * The mesh whose builtin queries serve a Canary: `fledge` (or no provider) is fledge's proxy;
 * `linkerd` and SMI (served by linkerd-smi) are Linkerd. `gatewayapi` and `kubernetes` take the
 * controller's configured mesh, as Flagger's `-mesh-provider=linkerd` does. Any other provider has
 * no builtin checks in fledge: undefined, and the check says to use a MetricTemplate.
 */
export function meshFor(
  provider: CanarySpec['provider'],
  fallback: Mesh = 'fledge',
): Mesh | undefined {
  if (provider === undefined) return fallback
  if (provider === 'fledge') return 'fledge'
  if (provider === 'linkerd' || provider === 'smi' || provider.startsWith('smi:')) return 'linkerd'
  if (provider === 'kubernetes' || provider.startsWith('gatewayapi')) return fallback
  return undefined
}

import { createHash } from 'node:crypto'
import type { Canary } from '../api/canary.js'
import type { Phase } from '../api/canary-status.js'
import type { WebhookPayload } from './ports.js'

/**
 * Flagger's webhook payload. `checksum` identifies the revision under test (its pod-template hash and
 * tracked configs), so a load tester can tell one rollout from the next.
 */
export function webhookPayload(
  canary: Canary,
  phase: Phase,
  metadata: Readonly<Record<string, string>> = {},
): WebhookPayload {
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? 'default',
    phase,
    checksum: revisionChecksum(canary),
    metadata,
  }
}

export function revisionChecksum(canary: Canary): string {
  const status = canary.status ?? {}
  const configs = Object.entries(status.trackedConfigs ?? {}).sort(([a], [b]) => a.localeCompare(b))
  return createHash('sha256')
    .update(JSON.stringify([status.lastAppliedSpec ?? '', configs]))
    .digest('hex')
    .slice(0, 10)
}

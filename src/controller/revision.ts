import type { Revision } from './ports.js'

/** True when the tracked ConfigMaps/Secrets differ from the checksums recorded on the status. */
export function configsChanged(
  revision: Revision,
  tracked: Readonly<Record<string, string>> | undefined,
): boolean {
  const before = tracked ?? {}
  const keys = new Set([...Object.keys(before), ...Object.keys(revision.configs)])
  for (const k of keys) if (before[k] !== revision.configs[k]) return true
  return false
}

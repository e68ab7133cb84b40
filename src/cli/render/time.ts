/** `350ms`, `45s`, `1m30s`, `2h5m`, `3d4h`: short, like kubectl's AGE column. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`
}

/** Time since an ISO timestamp, or `-` when there is none or it does not parse. */
export function age(iso: string | undefined, now: number): string {
  if (iso === undefined) return '-'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return '-'
  return now - t < 1000 ? '0s' : formatDuration(now - t)
}

/** An ISO timestamp to the second, as kubectl prints them: `2026-11-21T06:01:28Z`. */
export function isoSeconds(iso: string | undefined): string {
  if (iso === undefined) return '-'
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

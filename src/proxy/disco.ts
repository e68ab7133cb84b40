import { isIP } from 'node:net'

/** One address of a service, as discovery gives it. */
export interface Endpoint {
  readonly ip: string
  readonly port: number
  /** Relative capacity (Linkerd 1's `* WEIGHT`); 1 when not given. */
  readonly weight: number
}

/** A problem in a discovery file, by 1-based line number. */
export interface DiscoIssue {
  readonly line: number
  readonly message: string
}

export interface DiscoParse {
  readonly endpoints: readonly Endpoint[]
  readonly issues: readonly DiscoIssue[]
}

/** Service names are file names: DNS-1123 labels, as Kubernetes Services are named. */
export const SERVICE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/**
 * Parses a Linkerd 1 style discovery file: one `IP PORT` per line, optionally `* WEIGHT`.
 * Blank lines and `#` comments are ignored. Every bad line is reported with its number; a caller
 * that gets issues should keep what it had.
 */
export function parseDiscoFile(text: string): DiscoParse {
  const endpoints: Endpoint[] = []
  const issues: DiscoIssue[] = []
  const seen = new Set<string>()
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    const content = (raw.split('#')[0] ?? '').trim()
    if (content === '') return
    const parts = content.split(/\s+/)
    const [ip, portText, star, weightText, ...rest] = parts
    if (ip === undefined || portText === undefined) {
      issues.push({
        line,
        message: `expected "IP PORT [* WEIGHT]", found ${JSON.stringify(content)}`,
      })
      return
    }
    const host = normalizeIp(ip)
    if (host === undefined) {
      issues.push({ line, message: `invalid IP address ${JSON.stringify(ip)}` })
      return
    }
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN
    if (!(port >= 1 && port <= 65535)) {
      issues.push({
        line,
        message: `invalid port ${JSON.stringify(portText)}: expected 1 to 65535`,
      })
      return
    }
    let weight = 1
    if (star !== undefined) {
      const w = weightText === undefined ? NaN : Number(weightText)
      if (star !== '*' || rest.length > 0 || !(w > 0) || !Number.isFinite(w)) {
        issues.push({
          line,
          message: `invalid weight ${JSON.stringify(parts.slice(2).join(' '))}: expected "* WEIGHT" with WEIGHT > 0`,
        })
        return
      }
      weight = w
    }
    const key = `${host}:${port}`
    if (seen.has(key)) {
      issues.push({ line, message: `duplicate endpoint ${key}` })
      return
    }
    seen.add(key)
    endpoints.push({ ip: host, port, weight })
  })
  return { endpoints, issues }
}

/** Accepts dotted IPv4, IPv6 and Linkerd's short IPv4 forms (`127.1`); returns the canonical form. */
export function normalizeIp(text: string): string | undefined {
  if (isIP(text) !== 0) return text
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (m !== null && Number(m[1]) <= 255 && Number(m[2]) <= 255) return `${m[1]}.0.0.${m[2]}`
  return undefined
}

/**
 * Header handling shared by the listeners: hop-by-hop headers (RFC 9110 §7.6.1, plus every header
 * the Connection header names) are not forwarded, and `x-forwarded-for` gets the client appended.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The proxy answers 100-continue itself; forwarding it would make the upstream wait too.
  'expect',
])

/** Names listed in Connection header values, lower-cased. */
function connectionTokens(values: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const v of values)
    for (const t of v.split(',')) {
      const name = t.trim().toLowerCase()
      if (name !== '') out.add(name)
    }
  return out
}

export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName)
}

/**
 * Filters a flat raw header list (`[name, value, name, value, ...]`, as node:http gives it) for
 * forwarding, and appends the client address to `x-forwarded-for`. Returns a new flat list.
 */
export function forwardRequestHeaders(
  raw: readonly string[],
  clientIp: string | undefined,
): string[] {
  const conn: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] ?? '').toLowerCase() === 'connection') conn.push(raw[i + 1] ?? '')
  }
  const named = conn.length === 0 ? undefined : connectionTokens(conn)
  const out: string[] = []
  let xff: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? ''
    const value = raw[i + 1] ?? ''
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || named?.has(lower) === true) continue
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? value : `${xff}, ${value}`
      continue
    }
    out.push(name, value)
  }
  if (clientIp !== undefined && clientIp !== '') {
    out.push('x-forwarded-for', xff === undefined ? clientIp : `${xff}, ${clientIp}`)
  } else if (xff !== undefined) out.push('x-forwarded-for', xff)
  return out
}

/** Filters response headers (an object as undici gives it) for the client. */
export function forwardResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const conn = headers['connection']
  const named =
    conn === undefined ? undefined : connectionTokens(Array.isArray(conn) ? conn : [conn])
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || named?.has(lower) === true) continue
    out[name] = value
  }
  return out
}

/**
 * The authority of an HTTP/1.1 request: from an absolute-form target (`GET http://books:7002/x`,
 * as http_proxy clients send), else the Host header. Returns the origin-form path as well.
 */
export function requestAuthority(
  target: string,
  host: string | undefined,
): { authority: string | undefined; path: string; absolute: boolean } {
  if (target.startsWith('/') || target === '*')
    return { authority: host, path: target, absolute: false }
  const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(target)
  if (m === null) return { authority: host, path: target, absolute: false }
  const authority = (m[1] ?? '').replace(/^[^@]*@/, '')
  const rest = m[2] ?? ''
  return {
    authority,
    path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}`,
    absolute: true,
  }
}

import { STATUS_CODES } from 'node:http'

/** A response the proxy writes itself (an error, or a routing answer such as 404). */
export interface ErrorResponse {
  /** The status code, e.g. 404 or 503. */
  readonly status: number
  /** A short plain-text body; defaults to the reason phrase. Never a stack trace. */
  readonly body?: string
  /** Extra response headers (names and values must be valid header bytes). */
  readonly headers?: Readonly<Record<string, string>>
}

const cache = new Map<string, Buffer>()

/** The bytes of a complete, short error response. Default bodies are cached. */
export function errorResponseBytes(
  res: ErrorResponse,
  close: boolean,
  headRequest: boolean,
): Buffer {
  const simple = res.body === undefined && res.headers === undefined
  const key = `${res.status}:${close ? 1 : 0}:${headRequest ? 1 : 0}`
  if (simple) {
    const hit = cache.get(key)
    if (hit !== undefined) return hit
  }
  const reason = STATUS_CODES[res.status] ?? 'Error'
  const body = res.body ?? `${reason.toLowerCase()}\n`
  let head = `HTTP/1.1 ${res.status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\n`
  head += `content-length: ${Buffer.byteLength(body)}\r\n`
  if (res.headers !== undefined) {
    for (const [name, value] of Object.entries(res.headers)) {
      // Never let a caller's string split the head.
      head += `${name.replace(/[\r\n:]/g, '')}: ${value.replace(/[\r\n]/g, '')}\r\n`
    }
  }
  if (close) head += 'connection: close\r\n'
  const bytes = Buffer.from(`${head}\r\n${headRequest ? '' : body}`, 'utf8')
  if (simple) cache.set(key, bytes)
  return bytes
}

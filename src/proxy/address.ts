import type { AddressInfo } from 'node:net'
import { ErrorCodes, FledgeError } from '../util/errors.js'

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces). */
export function parseAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim())
  const port = m === null ? NaN : Number(m[3])
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new FledgeError(
      ErrorCodes.USAGE,
      `invalid address ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:4140`,
    )
  }
  const host = m[1] ?? m[2] ?? ''
  return { host: host === '' ? '0.0.0.0' : host, port }
}

/** Listens and resolves with the bound address; rejects on EADDRINUSE and the like. */
export function listen(
  server: {
    listen(port: number, host: string): unknown
    once(e: 'error', f: (err: Error) => void): unknown
    once(e: 'listening', f: () => void): unknown
    off(e: 'error', f: (err: Error) => void): unknown
    address(): AddressInfo | string | null
  },
  addr: ListenAddress,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new FledgeError(
          ErrorCodes.USAGE,
          `cannot listen on ${addr.host}:${addr.port}: ${err.message}`,
        ),
      )
    }
    server.once('error', onError)
    server.once('listening', () => {
      server.off('error', onError)
      const a = server.address()
      if (a === null || typeof a === 'string') reject(new Error('server has no TCP address'))
      else resolve(a)
    })
    server.listen(addr.port, addr.host)
  })
}

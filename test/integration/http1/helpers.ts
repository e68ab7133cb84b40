import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import {
  createHttp1Listener,
  type Endpoint,
  type ForwardOutcome,
  type Http1Listener,
  type Http1ListenerOptions,
  type RouteResult,
} from '../../../src/proxy/http1/index.js'

/** A node:http upstream on 127.0.0.1:0, closed by the returned close(). */
export async function startUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{
  server: Server
  endpoint: Endpoint
  connections: () => number
  close: () => Promise<void>
}> {
  const server = createServer(handler)
  let connections = 0
  server.on('connection', () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    endpoint: { host: '127.0.0.1', port },
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

/** A listener routing with `route`, recording every outcome. */
export async function startProxy(
  route: (req: Parameters<Http1ListenerOptions['route']>[0]) => RouteResult,
  extra: Partial<Http1ListenerOptions> = {},
): Promise<{ listener: Http1Listener; port: number; outcomes: ForwardOutcome[] }> {
  const listener = createHttp1Listener({ route, tickMs: 20, ...extra })
  const { port } = await listener.listen(0)
  return { listener, port, outcomes: [] }
}

/**
 * Sends raw bytes on a new connection and collects everything until the server closes it or
 * `waitMs` passes. Returns the text and whether the server closed the connection.
 */
export function rawExchange(
  port: number,
  data: string | Buffer | (string | Buffer)[],
  waitMs = 2000,
  gapMs = 0,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let closed = false
    const timer = setTimeout(() => {
      socket.destroy()
    }, waitMs)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('end', () => {
      closed = true
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed })
    })
    const parts = Array.isArray(data) ? data : [data]
    const send = async (): Promise<void> => {
      for (const p of parts) {
        socket.write(p)
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
      }
    }
    void send()
  })
}

/** Counts the status lines in a stream of responses. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]))
}

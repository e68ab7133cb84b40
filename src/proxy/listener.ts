/**
 * The proxy's TCP listener. It reads the first bytes of each connection to tell HTTP/2 prior
 * knowledge (the `PRI * HTTP/2.0` preface) from HTTP/1.x, then hands the socket to the matching
 * protocol layer. That layer is a port (`ConnectionHandler`), so the HTTP/1.1 path can be swapped.
 */
import net from 'node:net'
import type { ProxyMetrics } from './metrics.js'

/** Anything that can take over an accepted connection (a node:http or http2 server, a codec). */
export interface ConnectionHandler {
  /** Takes the socket, paused, with the bytes already read from it (`head`). */
  accept(socket: net.Socket, head: Buffer): void
}

/** Adapts a node:http / node:http2 server, which take connections through their event. */
export function serverHandler(
  server: { emit(event: 'connection', socket: net.Socket): boolean },
  resume: boolean,
): ConnectionHandler {
  return {
    accept(socket, head) {
      socket.unshift(head)
      server.emit('connection', socket)
      // node:http reads through the stream once resumed; node:http2 drains what was unshifted.
      if (resume) process.nextTick(() => socket.resume())
    },
  }
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n')

export interface ListenerOptions {
  readonly http1: ConnectionHandler
  readonly http2: ConnectionHandler
  readonly metrics: ProxyMetrics
  /** A connection that sends nothing for this long is closed. */
  readonly firstByteTimeoutMs: number
  /** Connections open at once; the listener refuses more. */
  readonly maxConnections: number
}

export interface Listener {
  readonly server: net.Server
  /** Stops accepting new connections (those open stay). */
  stopAccepting(): void
  /** Connections open now. */
  readonly connections: number
  /** Stops accepting, closes every connection. */
  close(): Promise<void>
}

export function createListener(opts: ListenerOptions): Listener {
  const sockets = new Set<net.Socket>()
  // allowHalfOpen, as node:http's own server: a client may shut down its sending side after the
  // request and still read the response.
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    sockets.add(socket)
    opts.metrics.tcpOpen('src')
    let failed = false
    socket.on('error', () => {
      failed = true
    })
    socket.once('close', () => {
      sockets.delete(socket)
      opts.metrics.tcpClose('src', failed)
    })
    sniff(socket, opts)
  })
  server.maxConnections = opts.maxConnections
  let closed: Promise<void> | undefined
  const stop = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolve()
      })
    })
    return closed
  }
  return {
    server,
    stopAccepting: () => {
      void stop()
    },
    get connections() {
      return sockets.size
    },
    close: async () => {
      const done = stop()
      for (const s of sockets) s.destroy()
      await done
    },
  }
}
function sniff(socket: net.Socket, opts: ListenerOptions): void {
  let buffered: Buffer = Buffer.alloc(0)
  socket.setTimeout(opts.firstByteTimeoutMs, () => {
    socket.destroy()
  })
  const onEnd = (): void => {
    // Closed before saying anything: nothing to serve.
    socket.destroy()
  }
  socket.once('end', onEnd)
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
    const n = Math.min(buffered.length, PREFACE.length)
    const prefix = buffered.subarray(0, n).equals(PREFACE.subarray(0, n))
    // Wait for more only while the bytes so far could still be the HTTP/2 preface.
    if (prefix && n < PREFACE.length) return
    socket.off('data', onData)
    socket.off('end', onEnd)
    socket.setTimeout(0)
    socket.pause()
    if (prefix) opts.http2.accept(socket, buffered)
    else opts.http1.accept(socket, buffered)
  }
  socket.on('data', onData)
}

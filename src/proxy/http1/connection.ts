import type { Socket } from 'node:net'
import { HttpProtocolError } from './errors.js'
import { errorResponseBytes, type ErrorResponse } from './error-response.js'
import type { ClientSide, ExchangeSettings } from './client-side.js'
import { Exchange } from './exchange.js'
import { isForwardTarget, type RouteResult } from './index.js'
import type { RequestHead } from './request-head.js'
import type { RequestParser } from './request-parser.js'
import { now, type Timed } from './ticker.js'

/** What a client connection needs from its listener. */
export interface ConnectionContext extends ExchangeSettings {
  readonly route: (req: RequestHead) => RouteResult
  readonly newParser: () => RequestParser
  readonly headerTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly onProtocolError: (err: HttpProtocolError) => void
  readonly onInternalError: (err: unknown) => void
  readonly onClose: (conn: ClientConnection) => void
  readonly onHttp2: ((socket: Socket, head: Buffer) => void) | undefined
}

const PAUSE_BACKPRESSURE = 1
const PAUSE_PIPELINE = 2
/** Bytes of pipelined requests buffered before reading pauses until the current exchange ends. */
const MAX_PIPELINE_BYTES = 64 * 1024
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

/**
 * One client connection: reads request heads, runs one exchange at a time (pipelined requests wait
 * their turn, buffered), and applies the header and idle timeouts.
 */
export class ClientConnection implements ClientSide, Timed {
  readonly ip: string
  readonly xffTail: Buffer
  private readonly socket: Socket
  private readonly ctx: ConnectionContext
  private readonly parser: RequestParser
  private buf: Buffer | null = null
  private pos = 0
  private searchFrom = 0
  private exchange: Exchange | null = null
  private deadline: number
  /** Whether the deadline is a header timeout (a head has begun) rather than an idle timeout. */
  private inHead = false
  private paused = 0
  private closing = false
  private processing = false
  private first = true

  constructor(socket: Socket, ctx: ConnectionContext) {
    this.socket = socket
    this.ctx = ctx
    this.parser = ctx.newParser()
    this.ip = socket.remoteAddress ?? ''
    this.xffTail = Buffer.from(`x-forwarded-for: ${this.ip}\r\n\r\n`, 'latin1')
    this.deadline = now() + ctx.headerTimeoutMs
    this.inHead = true
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk)
    })
    socket.on('drain', () => this.exchange?.onClientDrain())
    socket.on('error', () => {
      // ECONNRESET and friends: 'close' follows and cleans up.
    })
    socket.on('end', () => {
      // The client finished sending. Let an exchange in flight complete, then close.
      this.closing = true
      if (this.exchange === null) this.socket.end()
      else this.exchange.endTunnel()
    })
    socket.on('close', () => {
      this.exchange?.abort('client-aborted')
      this.exchange = null
      this.closing = true
      this.ctx.onClose(this)
    })
    // A socket handed over after sniffing may have been paused explicitly; 'data' alone would
    // not restart it.
    socket.resume()
  }

  /** Feeds bytes that were read before the connection was handed over (e.g. while sniffing). */
  feed(chunk: Buffer): void {
    this.onData(chunk)
  }

  private onData(chunk: Buffer): void {
    if (this.buf === null || this.pos >= this.buf.length) {
      this.buf = chunk
      this.pos = 0
      this.searchFrom = 0
    } else {
      const rest = this.buf.length - this.pos
      this.searchFrom = Math.max(0, this.searchFrom - this.pos)
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk], rest + chunk.length)
      this.pos = 0
    }
    if (this.first) {
      this.first = false
      const onHttp2 = this.ctx.onHttp2
      if (onHttp2 !== undefined && this.isHttp2Preface(this.buf, onHttp2)) return
    }
    this.process()
  }

  private isHttp2Preface(buf: Buffer, onHttp2: (socket: Socket, head: Buffer) => void): boolean {
    const n = Math.min(buf.length, H2_PREFACE.length)
    if (buf.compare(H2_PREFACE, 0, n, 0, n) !== 0) return false
    // Hand the socket and what was read over to the HTTP/2 server.
    this.socket.removeAllListeners('data')
    this.socket.removeAllListeners('drain')
    this.socket.removeAllListeners('end')
    this.closing = true
    onHttp2(this.socket, buf)
    return true
  }

  private process(): void {
    if (this.processing) return
    this.processing = true
    try {
      this.processLoop()
    } finally {
      this.processing = false
    }
  }

  private processLoop(): void {
    while (!this.closing || this.exchange !== null) {
      const buf = this.buf
      const ex = this.exchange
      if (ex !== null) {
        if ((!ex.reqDone || ex.tunneling) && buf !== null && this.pos < buf.length) {
          this.pos = ex.onClientBody(buf, this.pos, buf.length)
          if (this.exchange !== ex) continue
        }
        if (buf !== null && buf.length - this.pos > MAX_PIPELINE_BYTES) {
          this.pause(PAUSE_PIPELINE, true)
        }
        return
      }
      if (buf === null || this.pos >= buf.length) {
        this.buf = null
        return
      }
      if (!this.inHead) {
        this.inHead = true
        this.deadline = now() + this.ctx.headerTimeoutMs
      }
      let parsed
      try {
        parsed = this.parser.parse(buf, this.pos, this.searchFrom)
      } catch (err) {
        this.protocolError(err)
        return
      }
      if (parsed === null) {
        this.searchFrom = buf.length
        return
      }
      this.pos = parsed.end
      this.searchFrom = parsed.end
      this.inHead = false
      this.deadline = 0
      this.dispatch(parsed.head)
    }
  }

  private dispatch(req: RequestHead): void {
    let result: RouteResult
    try {
      result = this.ctx.route(req)
    } catch (err) {
      this.ctx.onInternalError(err)
      result = { status: 500 }
    }
    if (!isForwardTarget(result)) {
      // A body we will not forward cannot be skipped cheaply: close after answering.
      this.writeError(result, req.keepAlive && !req.hasBody, req.method === 'HEAD')
      return
    }
    const ex = new Exchange(this, req, result, this.ctx)
    this.exchange = ex
    ex.start()
  }

  private protocolError(err: unknown): void {
    if (err instanceof HttpProtocolError) {
      this.ctx.onProtocolError(err)
      this.writeError({ status: err.status }, false, false)
    } else {
      this.ctx.onInternalError(err)
      this.writeError({ status: 500 }, false, false)
    }
  }

  private writeError(res: ErrorResponse, keepAlive: boolean, head: boolean): void {
    this.socket.write(errorResponseBytes(res, !keepAlive, head))
    if (!keepAlive) this.endAfterWrite()
    else this.afterExchange()
  }

  private endAfterWrite(): void {
    this.closing = true
    this.deadline = 0
    this.buf = null
    this.socket.end()
    this.socket.destroySoon()
  }

  private afterExchange(): void {
    this.exchange = null
    this.pause(PAUSE_PIPELINE | PAUSE_BACKPRESSURE, false)
    if (this.closing) {
      this.socket.end()
      return
    }
    this.deadline = now() + this.ctx.idleTimeoutMs
    this.inHead = false
    if (!this.processing) this.process()
  }

  private pause(reason: number, on: boolean): void {
    const before = this.paused
    this.paused = on ? before | reason : before & ~reason
    if (before === 0 && this.paused !== 0) this.socket.pause()
    else if (before !== 0 && this.paused === 0) this.socket.resume()
  }

  // ClientSide

  write(data: Buffer): boolean {
    return this.socket.write(data)
  }

  cork(): void {
    this.socket.cork()
  }

  uncork(): void {
    this.socket.uncork()
  }

  pauseBody(paused: boolean): void {
    this.pause(PAUSE_BACKPRESSURE, paused)
    // Bytes read before the upstream was ready (or before a 101) are waiting in the buffer.
    if (!paused && this.buf !== null && this.pos < this.buf.length) this.process()
  }

  exchangeDone(keepAlive: boolean): void {
    if (!keepAlive) {
      this.exchange = null
      this.endAfterWrite()
      return
    }
    this.afterExchange()
  }

  respond(res: ErrorResponse, keepAlive: boolean): void {
    const head = this.exchange?.req.method === 'HEAD'
    this.exchange = null
    this.writeError(res, keepAlive, head)
  }

  destroy(): void {
    this.exchange = null
    this.closing = true
    this.socket.destroy()
  }

  tick(t: number): void {
    const ex = this.exchange
    if (ex !== null) {
      ex.tick(t)
      return
    }
    if (this.deadline === 0 || t < this.deadline || this.closing) return
    if (this.inHead && this.buf !== null && this.pos < this.buf.length) {
      // A head begun and not finished in time: slow or stuck client.
      this.writeError({ status: 408 }, false, false)
    } else {
      this.closing = true
      this.socket.destroy()
    }
  }

  /** Closes the connection now (listener shutdown). */
  close(): void {
    this.exchange?.abort('client-aborted')
    this.exchange = null
    this.closing = true
    this.socket.destroy()
  }
}

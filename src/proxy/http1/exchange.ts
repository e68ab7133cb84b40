import { BodyFramer } from './body-framer.js'
import { UpstreamError, statusForError, type UpstreamErrorKind } from './errors.js'
import type { ClientSide, ExchangeSettings } from './client-side.js'
import type { ErrorResponse } from './error-response.js'
import { buildClosingResponseHead, buildRequestHead, compactResponseHead } from './head-writer.js'
import type { ForwardOutcome, ForwardTarget } from './index.js'
import type { UpstreamConn, UpstreamUser } from './pool.js'
import type { RequestHead } from './request-head.js'
import { RequestSender } from './request-sender.js'
import { Framing, type ResponseHead } from './response-parser.js'
import { now } from './ticker.js'

const NO_BODY = BodyFramer.of(Framing.NONE, 0)

const R_HEAD = 0
const R_BODY = 1
const R_DONE = 2
const R_TUNNEL = 3

/** How many times a stale kept-alive connection is silently replaced for one attempt. */
const MAX_STALE_RETRIES = 2

/**
 * Forwards one request: request head and body to the upstream, response head and body back,
 * reporting each attempt's outcome to the target. Holds no timers: the listener's ticker calls
 * `tick`.
 */
export class Exchange implements UpstreamUser {
  readonly req: RequestHead
  /** Whether the whole request body has been read from the client. */
  get reqDone(): boolean {
    return this.reqBody.done
  }
  deadline = 0
  private readonly client: ClientSide
  private readonly settings: ExchangeSettings
  private readonly sender: RequestSender
  private target: ForwardTarget
  private attempt = 0
  private staleRetries = 0
  private conn: UpstreamConn | null = null
  private readonly reqBody: BodyFramer
  private attemptStart = 0
  private headMs = 0
  private status = 0
  private responseBytes = 0
  private resState = R_HEAD
  private resPending: Buffer | null = null
  private resBody: BodyFramer = NO_BODY
  private closeClient = false
  private upstreamCloses = false
  private finished = false

  constructor(
    client: ClientSide,
    req: RequestHead,
    target: ForwardTarget,
    settings: ExchangeSettings,
  ) {
    this.client = client
    this.req = req
    this.target = target
    this.settings = settings
    this.reqBody = BodyFramer.forRequest(req.chunked, req.contentLength)
    this.sender = new RequestSender(buildRequestHead(req, client.ip, client.xffTail))
  }

  /** Whether the exchange became a two-way byte tunnel (after a 101 Switching Protocols). */
  get tunneling(): boolean {
    return this.resState === R_TUNNEL
  }

  private get replayable(): boolean {
    return !this.req.hasBody
  }

  /** Starts the first attempt. */
  start(): void {
    this.begin(this.target)
  }

  private begin(target: ForwardTarget): void {
    this.target = target
    this.attemptStart = now()
    this.deadline = this.attemptStart + (target.timeoutMs ?? this.settings.defaultTimeoutMs)
    this.sender.reset()
    this.status = 0
    this.headMs = 0
    this.responseBytes = 0
    this.resState = R_HEAD
    this.resPending = null
    this.connect()
  }

  private connect(): void {
    const conn = this.settings.pool.acquire(this.target.endpoint, this)
    this.conn = conn
    if (!conn.connecting) this.onUpstreamConnect(conn)
  }

  onUpstreamConnect(conn: UpstreamConn): void {
    if (conn !== this.conn || this.finished) return
    this.sender.flush(conn.socket)
    this.client.pauseBody(false)
  }

  /**
   * Request body bytes from the client in buf[start, end). Returns where the body ended (end if it
   * has not). Bytes after it belong to the next pipelined request.
   */
  onClientBody(buf: Buffer, start: number, end: number): number {
    if (this.resState === R_TUNNEL) {
      this.sendBody(buf.subarray(start, end))
      return end
    }
    const stop = this.reqBody.advance(buf, start, end)
    if (stop < 0) {
      this.clientBodyError()
      return end
    }
    if (stop > start && !this.finished) this.sendBody(buf.subarray(start, stop))
    return stop
  }

  private sendBody(chunk: Buffer): void {
    // An upload in progress is not a stalled upstream: the timeout counts from the last byte.
    if (this.resState === R_HEAD) this.refreshDeadline()
    if (!this.sender.send(chunk)) this.client.pauseBody(true)
  }

  onUpstreamDrain(conn: UpstreamConn): void {
    if (conn === this.conn) this.client.pauseBody(false)
  }

  /** The client half-closed a tunnel: pass the FIN on. */
  endTunnel(): void {
    if (this.resState === R_TUNNEL) this.conn?.socket.end()
  }

  /** The client can take more bytes: resume reading the upstream. */
  onClientDrain(): void {
    this.conn?.socket.resume()
  }

  onUpstreamData(conn: UpstreamConn, chunk: Buffer): void {
    if (conn !== this.conn || this.finished) return
    if (this.resState !== R_TUNNEL) this.refreshDeadline()
    let buf = chunk
    let pos = 0
    if (this.resState === R_HEAD) {
      let searchFrom = 0
      if (this.resPending !== null) {
        searchFrom = this.resPending.length
        buf = Buffer.concat([this.resPending, chunk])
        this.resPending = null
      }
      pos = this.onResponseHeadBytes(conn, buf, searchFrom)
      if (pos < 0) return
    }
    if (pos < buf.length) this.onResponseBody(buf, pos)
  }

  /** Parses heads until a final one; returns where its body starts, or -1 when nothing is left. */
  private onResponseHeadBytes(conn: UpstreamConn, buf: Buffer, searchFrom: number): number {
    let pos = 0
    for (;;) {
      let parsed
      try {
        parsed = conn.parser.parse(buf, pos, searchFrom)
      } catch (err) {
        this.upstreamFailed(err instanceof UpstreamError ? err.kind : 'protocol')
        return -1
      }
      if (parsed === null) {
        this.resPending = pos === 0 ? buf : buf.subarray(pos)
        return -1
      }
      const res = parsed.head
      const headStart = pos
      pos = parsed.end
      searchFrom = pos
      if (res.status >= 100 && res.status < 200 && res.status !== 101) {
        // Interim response (100 Continue, 103): pass it on, keep waiting for the final one. An
        // HTTP/1.0 client never gets one (RFC 9110 section 15.2).
        if (this.req.versionMinor === 1) {
          const s = compactResponseHead(res, false)
          this.writeClient(buf.subarray(headStart + s, pos))
        }
        continue
      }
      return this.onFinalHead(conn, res, buf, headStart, pos)
    }
  }

  private onFinalHead(
    conn: UpstreamConn,
    res: ResponseHead,
    buf: Buffer,
    headStart: number,
    bodyStart: number,
  ): number {
    this.status = res.status
    this.headMs = now() - this.attemptStart
    if (res.status === 101) {
      if (this.req.upgrade === '') {
        this.upstreamFailed('protocol')
        return -1
      }
      this.resState = R_TUNNEL
      this.deadline = 0
      const s = compactResponseHead(res, true)
      this.writeClient(buf.subarray(headStart + s, bodyStart))
      this.client.pauseBody(false)
      return bodyStart
    }
    if (this.target.onResponseHead !== undefined && this.replayable) {
      let next: ForwardTarget | undefined
      try {
        next = this.target.onResponseHead(res.status, this.attempt)
      } catch (err) {
        this.settings.onInternalError(err)
      }
      if (next !== undefined) {
        conn.destroy()
        this.report(null, true)
        this.attempt++
        this.begin(next)
        return -1
      }
    }
    this.upstreamCloses = res.upstreamCloses
    const framing = res.framing(this.req.method)
    this.resBody = BodyFramer.of(framing, res.contentLength)
    // Close the client connection when the body is delimited by close, the client asked for it, or
    // its request body is still unread (the upstream answered early).
    this.closeClient = !this.req.keepAlive || framing === Framing.CLOSE
    this.resState = framing === Framing.NONE ? R_DONE : R_BODY
    if (this.closeClient) {
      const head = buildClosingResponseHead(res, false)
      this.writeClient(head)
    } else {
      const s = compactResponseHead(res, false)
      if (this.resState === R_BODY && bodyStart < buf.length) {
        // Head and the body bytes that came with it go out in one write.
        const stop = this.bodyStop(buf, bodyStart)
        if (stop < 0) return -1
        this.writeClient(buf.subarray(headStart + s, stop))
        if (this.responseDone()) this.complete(stop < buf.length)
        return -1
      }
      this.writeClient(buf.subarray(headStart + s, bodyStart))
    }
    if (this.resState === R_DONE) {
      this.complete(bodyStart < buf.length)
      return -1
    }
    return bodyStart
  }

  /** Where this buffer's part of the body ends (marks R_DONE when it completes); -1 on bad framing. */
  private bodyStop(buf: Buffer, pos: number): number {
    const stop = this.resBody.advance(buf, pos, buf.length)
    if (stop < 0) {
      this.upstreamFailed('protocol')
      return -1
    }
    if (this.resBody.done) this.resState = R_DONE
    return stop
  }

  private onResponseBody(buf: Buffer, pos: number): void {
    if (this.resState === R_TUNNEL) {
      this.writeClient(pos === 0 ? buf : buf.subarray(pos))
      return
    }
    const stop = this.bodyStop(buf, pos)
    if (stop < 0) return
    if (stop > pos)
      this.writeClient(pos === 0 && stop === buf.length ? buf : buf.subarray(pos, stop))
    if (this.resState === R_DONE) this.complete(stop < buf.length)
  }

  private refreshDeadline(): void {
    if (this.deadline !== 0) {
      this.deadline = now() + (this.target.timeoutMs ?? this.settings.defaultTimeoutMs)
    }
  }

  private responseDone(): boolean {
    return this.resState === R_DONE
  }

  private writeClient(data: Buffer): void {
    this.responseBytes += data.length
    if (!this.client.write(data)) this.conn?.socket.pause()
  }

  onUpstreamEnd(conn: UpstreamConn): void {
    if (conn !== this.conn || this.finished) return
    if (this.resState === R_BODY && this.resBody.framing === Framing.CLOSE) {
      this.conn = null
      this.resState = R_DONE
      this.complete(true)
      return
    }
    if (this.resState === R_TUNNEL) {
      this.finish()
      this.client.destroy()
      return
    }
    this.onUpstreamError(conn, new UpstreamError('reset', 'upstream closed the connection'))
  }

  onUpstreamError(conn: UpstreamConn, err: UpstreamError): void {
    if (conn !== this.conn || this.finished) return
    // A kept-alive connection the upstream had already closed: replace it, invisibly.
    const stale =
      conn.served > 0 &&
      this.resState === R_HEAD &&
      this.resPending === null &&
      err.kind === 'reset' &&
      this.replayable &&
      this.staleRetries < MAX_STALE_RETRIES
    this.conn = null
    if (stale) {
      this.staleRetries++
      this.sender.reset()
      this.connect()
      return
    }
    this.upstreamFailed(err.kind)
  }

  /** The upstream failed: retry, answer with an error, or drop the client if the answer started. */
  private upstreamFailed(kind: UpstreamErrorKind): void {
    const conn = this.conn
    this.conn = null
    conn?.destroy()
    if (this.resState !== R_HEAD || this.responseBytes > 0) {
      this.report(kind, false)
      this.finish()
      this.client.destroy()
      return
    }
    if (this.headMs === 0) this.headMs = now() - this.attemptStart
    const decision = this.report(kind, false)
    if (decision !== undefined && 'endpoint' in decision && this.replayable) {
      this.attempt++
      this.begin(decision)
      return
    }
    this.finish()
    const res: ErrorResponse =
      decision !== undefined && !('endpoint' in decision)
        ? decision
        : { status: statusForError(kind) }
    this.client.respond(res, this.req.keepAlive && this.reqDone)
  }

  private clientBodyError(): void {
    // A malformed chunked request body: nothing sane can follow on either connection.
    const conn = this.conn
    this.conn = null
    conn?.destroy()
    if (!this.finished) {
      this.report('protocol', false)
      this.finish()
    }
    if (this.resState === R_HEAD && this.responseBytes === 0) {
      this.client.respond({ status: 400 }, false)
    } else this.client.destroy()
  }

  /** The response was forwarded completely. `extra`: the upstream sent bytes past its end. */
  private complete(extra: boolean): void {
    const conn = this.conn
    this.conn = null
    if (conn !== null) {
      const reusable =
        !extra && this.reqDone && this.resBody.framing !== Framing.CLOSE && !this.upstreamCloses
      if (reusable) conn.release()
      else conn.destroy()
    }
    this.report(null, false)
    this.finish()
    this.client.exchangeDone(!this.closeClient && this.reqDone)
  }

  /** The client went away or timed out. */
  abort(kind: UpstreamErrorKind): void {
    if (this.finished) return
    const conn = this.conn
    this.conn = null
    conn?.destroy()
    this.report(kind, false)
    this.finish()
  }

  /** Checks the deadline (called by the listener's ticker). */
  tick(t: number): void {
    if (this.finished || this.deadline === 0 || t < this.deadline) return
    this.upstreamFailed('timeout')
  }

  private finish(): void {
    this.finished = true
    this.deadline = 0
  }

  private report(
    error: UpstreamErrorKind | null,
    discarded: boolean,
  ): ForwardTarget | ErrorResponse | undefined {
    const cb = this.target.onOutcome
    if (cb === undefined) return undefined
    const t = now()
    const outcome: ForwardOutcome = {
      request: this.req,
      endpoint: this.target.endpoint,
      attempt: this.attempt,
      status: this.status,
      error,
      headMs: this.headMs === 0 ? t - this.attemptStart : this.headMs,
      totalMs: t - this.attemptStart,
      requestBytes: this.sender.bytes,
      responseBytes: this.responseBytes,
      responseStarted: this.responseBytes > 0,
      retryable: error !== null && this.responseBytes === 0 && this.replayable,
      discarded,
    }
    try {
      return cb(outcome)
    } catch (err) {
      // A bug in the caller must not take the connection (or the process) down with it.
      this.settings.onInternalError(err)
      return undefined
    }
  }
}

/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { CR, LF, SP, TARGET_CHAR, TCHAR, equalsLower, parseDecimal } from './chars.js'
import { HttpProtocolError } from './errors.js'
import { HeaderKind, type HeaderKindValue } from './header-kind.js'
import {
  F_KIND,
  F_VALUE,
  F_VALUE_END,
  FIELDS,
  findHeadEnd,
  nextListElement,
  type ListElement,
  parseHeaderLines,
} from './header-section.js'
import { RequestHead } from './request-head.js'

/** Limits applied while parsing requests. */
export interface RequestLimits {
  /** Largest head (request line and headers) accepted; over it the answer is 431. */
  readonly maxHeaderBytes: number
  /** Most header lines accepted; over it the answer is 431. */
  readonly maxHeaders: number
  /** Largest declared Content-Length accepted; over it the answer is 413. */
  readonly maxBodyBytes: number
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 100,
  maxBodyBytes: Number.MAX_SAFE_INTEGER,
}

/**
 * Parses request heads for one connection, one at a time (pipelined requests are parsed after the
 * previous exchange ends). Incremental: `parse` returns null until a whole head is buffered.
 */
export class RequestParser {
  private readonly offsets: Int32Array
  private readonly limits: RequestLimits

  constructor(limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {
    this.limits = limits
    this.offsets = new Int32Array(limits.maxHeaders * FIELDS)
  }

  /**
   * Parses the head starting at buf[start]. Returns null when it is not complete yet (resume with
   * more bytes and `searchFrom` = where the last search ended), or the head and the index after it.
   * Throws HttpProtocolError with the status to answer.
   */
  parse(buf: Buffer, start: number, searchFrom = start): { head: RequestHead; end: number } | null {
    // Empty lines before a request line are allowed (RFC 9112 section 2.2), e.g. after a body.
    while (start + 1 < buf.length && buf[start] === CR && buf[start + 1] === LF) start += 2
    const end = findHeadEnd(buf, Math.max(start, searchFrom - 3))
    if (end < 0) {
      if (buf.length - start > this.limits.maxHeaderBytes) {
        throw new HttpProtocolError(431, 'request header section too large')
      }
      return null
    }
    if (end - start > this.limits.maxHeaderBytes) {
      throw new HttpProtocolError(431, 'request header section too large')
    }
    const head = buf.subarray(start, end)
    return { head: this.parseHead(head), end }
  }

  private parseHead(buf: Buffer): RequestHead {
    const req = new RequestHead()
    req.head = buf
    req.offsets = this.offsets
    const lineEnd = parseRequestLine(buf, req)
    req.requestLineEnd = lineEnd
    const count = parseHeaderLines(
      buf,
      lineEnd,
      buf.length - 2,
      this.offsets,
      this.limits.maxHeaders,
    )
    req.headerCount = count
    interpretHeaders(buf, req, this.offsets, count, this.limits)
    return req
  }
}

/** Parses `method SP target SP HTTP/1.x CRLF` into req; returns the index after the CRLF. */
function parseRequestLine(buf: Buffer, req: RequestHead): number {
  let i = 0
  while (TCHAR[buf[i]!] === 1) i++
  if (i === 0 || buf[i] !== SP) throw new HttpProtocolError(400, 'invalid request line')
  req.method = methodString(buf, i)
  const targetStart = ++i
  while (TARGET_CHAR[buf[i]!] === 1) i++
  if (i === targetStart || buf[i] !== SP) throw new HttpProtocolError(400, 'invalid request target')
  const targetEnd = i++
  const v = i
  if (
    buf[v] !== 0x48 ||
    buf[v + 1] !== 0x54 ||
    buf[v + 2] !== 0x54 ||
    buf[v + 3] !== 0x50 ||
    buf[v + 4] !== 0x2f ||
    buf[v + 6] !== 0x2e
  ) {
    throw new HttpProtocolError(400, 'invalid HTTP version')
  }
  const major = buf[v + 5]! - 0x30
  const minor = buf[v + 7]! - 0x30
  if (major < 0 || major > 9 || minor < 0 || minor > 9) {
    throw new HttpProtocolError(400, 'invalid HTTP version')
  }
  if (buf[v + 8] !== CR || buf[v + 9] !== LF)
    throw new HttpProtocolError(400, 'invalid request line')
  if (major !== 1 || minor > 1) throw new HttpProtocolError(505, 'HTTP version not supported')
  req.versionMinor = minor
  parseTarget(buf, targetStart, targetEnd, req)
  return v + 10
}

function parseTarget(buf: Buffer, start: number, end: number, req: RequestHead): void {
  req.target = buf.toString('latin1', start, end)
  if (req.method === 'CONNECT') throw new HttpProtocolError(501, 'CONNECT is not supported')
  const first = buf[start]
  if (first === 0x2f) {
    req.path = req.target
    return
  }
  if (first === 0x2a && end - start === 1) {
    if (req.method !== 'OPTIONS') throw new HttpProtocolError(400, 'asterisk-form needs OPTIONS')
    req.path = '*'
    return
  }
  // absolute-form: only http:// is forwarded (https goes through CONNECT, which is not served).
  if (end - start > 7 && equalsLower(buf, start, start + 7, 'http://')) {
    let i = start + 7
    const authorityStart = i
    while (i < end && buf[i] !== 0x2f && buf[i] !== 0x3f && buf[i] !== 0x23) {
      if (buf[i] === 0x40) throw new HttpProtocolError(400, 'userinfo in request target')
      i++
    }
    if (i === authorityStart) throw new HttpProtocolError(400, 'empty authority in request target')
    checkAuthority(buf, authorityStart, i)
    req.authority = buf.toString('latin1', authorityStart, i).toLowerCase()
    req.absoluteForm = true
    if (i === end) req.path = '/'
    else if (buf[i] === 0x2f) req.path = buf.toString('latin1', i, end)
    else if (buf[i] === 0x3f) req.path = '/' + buf.toString('latin1', i, end)
    else throw new HttpProtocolError(400, 'fragment in request target')
    return
  }
  throw new HttpProtocolError(400, 'invalid request target')
}

/** Interns the common methods so the hot path makes no string for them. */
function methodString(buf: Buffer, len: number): string {
  switch (len) {
    case 3:
      if (buf[0] === 0x47 && buf[1] === 0x45 && buf[2] === 0x54) return 'GET'
      if (buf[0] === 0x50 && buf[1] === 0x55 && buf[2] === 0x54) return 'PUT'
      break
    case 4:
      if (buf[0] === 0x50 && buf[1] === 0x4f && buf[2] === 0x53 && buf[3] === 0x54) return 'POST'
      if (buf[0] === 0x48 && buf[1] === 0x45 && buf[2] === 0x41 && buf[3] === 0x44) return 'HEAD'
      break
  }
  return buf.toString('latin1', 0, len)
}

/** What the header lines said about connection handling, gathered in one pass. */
interface ConnectionFlags {
  hosts: number
  host: string
  transferEncoding: boolean
  upgrade: string
  connectionUpgrade: boolean
  connectionClose: boolean
}

function interpretHeaders(
  buf: Buffer,
  req: RequestHead,
  offsets: Int32Array,
  count: number,
  limits: RequestLimits,
): void {
  const f: ConnectionFlags = {
    hosts: 0,
    host: '',
    transferEncoding: false,
    upgrade: '',
    connectionUpgrade: false,
    connectionClose: false,
  }
  for (let i = 0; i < count; i++) {
    const o = i * FIELDS
    const vs = offsets[o + F_VALUE]!
    const ve = offsets[o + F_VALUE_END]!
    switch (offsets[o + F_KIND] as HeaderKindValue) {
      case HeaderKind.HOST:
        f.hosts++
        checkAuthority(buf, vs, ve)
        f.host = buf.toString('latin1', vs, ve)
        break
      case HeaderKind.CONTENT_LENGTH:
        contentLength(buf, vs, ve, req)
        break
      case HeaderKind.TRANSFER_ENCODING:
        f.transferEncoding = true
        transferEncoding(buf, vs, ve, req)
        break
      case HeaderKind.CONNECTION:
        connection(buf, vs, ve, req, f)
        break
      case HeaderKind.UPGRADE:
        f.upgrade = buf.toString('latin1', vs, ve)
        break
      case HeaderKind.EXPECT:
        if (equalsLower(buf, vs, ve, '100-continue')) req.expectContinue = true
        break
      case HeaderKind.OTHER:
      case HeaderKind.KEEP_ALIVE:
      case HeaderKind.PROXY_CONNECTION:
      case HeaderKind.TE:
      case HeaderKind.TRAILER:
      case HeaderKind.X_FORWARDED_FOR:
        break
    }
  }
  checkFraming(req, f.transferEncoding, limits)
  if (f.hosts > 1) throw new HttpProtocolError(400, 'more than one Host header')
  if (f.hosts === 0 && req.versionMinor === 1 && !req.absoluteForm) {
    throw new HttpProtocolError(400, 'missing Host header')
  }
  if (!req.absoluteForm) req.authority = f.host.toLowerCase()
  // HTTP/1.0 clients get one exchange per connection: simpler than Keep-Alive negotiation.
  req.keepAlive = req.versionMinor === 1 && !f.connectionClose
  if (f.connectionUpgrade && f.upgrade !== '') req.upgrade = f.upgrade
}

const el: ListElement = { start: 0, end: 0 }

function contentLength(buf: Buffer, vs: number, ve: number, req: RequestHead): void {
  let i = nextListElement(buf, vs, ve, el)
  if (i < 0) throw new HttpProtocolError(400, 'empty Content-Length')
  while (i >= 0) {
    const n = parseDecimal(buf, el.start, el.end)
    if (n < 0) throw new HttpProtocolError(400, 'invalid Content-Length')
    if (req.contentLength >= 0 && req.contentLength !== n) {
      throw new HttpProtocolError(400, 'conflicting Content-Length values')
    }
    req.contentLength = n
    i = nextListElement(buf, i, ve, el)
  }
}

function transferEncoding(buf: Buffer, vs: number, ve: number, req: RequestHead): void {
  for (let i = nextListElement(buf, vs, ve, el); i >= 0; i = nextListElement(buf, i, ve, el)) {
    if (req.chunked) throw new HttpProtocolError(400, 'chunked is not the final coding')
    if (!equalsLower(buf, el.start, el.end, 'chunked')) {
      throw new HttpProtocolError(501, 'unsupported transfer coding')
    }
    req.chunked = true
  }
}

function connection(
  buf: Buffer,
  vs: number,
  ve: number,
  req: RequestHead,
  f: ConnectionFlags,
): void {
  for (let i = nextListElement(buf, vs, ve, el); i >= 0; i = nextListElement(buf, i, ve, el)) {
    if (equalsLower(buf, el.start, el.end, 'close')) f.connectionClose = true
    else if (equalsLower(buf, el.start, el.end, 'upgrade')) f.connectionUpgrade = true
    else if (!equalsLower(buf, el.start, el.end, 'keep-alive')) {
      ;(req.connectionNames ??= []).push(buf.toString('latin1', el.start, el.end).toLowerCase())
    }
  }
}

function checkFraming(req: RequestHead, sawTransferEncoding: boolean, limits: RequestLimits): void {
  if (sawTransferEncoding) {
    if (!req.chunked) throw new HttpProtocolError(400, 'empty Transfer-Encoding')
    if (req.contentLength >= 0) {
      throw new HttpProtocolError(400, 'both Content-Length and Transfer-Encoding')
    }
    // An HTTP/1.0 recipient cannot know chunked: a classic smuggling vector.
    if (req.versionMinor === 0) throw new HttpProtocolError(400, 'Transfer-Encoding in HTTP/1.0')
  }
  if (req.contentLength > limits.maxBodyBytes) {
    throw new HttpProtocolError(413, 'request body too large')
  }
}

/** An authority is host[:port]: visible ASCII without the bytes that delimit other URI parts. */
function checkAuthority(buf: Buffer, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (
      TARGET_CHAR[c] !== 1 ||
      c === 0x2f ||
      c === 0x40 ||
      c === 0x3f ||
      c === 0x23 ||
      c === 0x5c
    ) {
      throw new HttpProtocolError(400, 'invalid Host header')
    }
  }
}

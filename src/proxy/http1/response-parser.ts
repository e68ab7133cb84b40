/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { CR, LF, SP, equalsLower, parseDecimal } from './chars.js'
import { HttpProtocolError, UpstreamError } from './errors.js'
import { HeaderKind } from './header-kind.js'
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

/** How the response body is delimited. */
export const Framing = {
  NONE: 0,
  LENGTH: 1,
  CHUNKED: 2,
  CLOSE: 3,
} as const
export type FramingValue = (typeof Framing)[keyof typeof Framing]

const EMPTY = Buffer.alloc(0)
const NO_OFFSETS = new Int32Array(0)

/** A parsed upstream response head; header bytes stay in `head`, indexed by `offsets`. */
export class ResponseHead {
  status = 0
  versionMinor = 1
  head: Buffer = EMPTY
  statusLineEnd = 0
  headerCount = 0
  offsets: Int32Array = NO_OFFSETS
  /** Content-Length, or -1. */
  contentLength = -1
  /** Whether Transfer-Encoding ends in chunked. */
  chunked = false
  /** Whether Transfer-Encoding is present (chunked or not). */
  transferEncoding = false
  /** Whether the upstream will close the connection after this response. */
  upstreamCloses = false
  /** Lower-cased extra names listed in Connection, stripped when forwarding; null when none. */
  connectionNames: string[] | null = null

  reset(): void {
    this.status = 0
    this.statusLineEnd = 0
    this.headerCount = 0
    this.contentLength = -1
    this.chunked = false
    this.transferEncoding = false
    this.upstreamCloses = false
    this.connectionNames = null
  }

  /** Body framing of this response to a request with `method`. */
  framing(method: string): FramingValue {
    const s = this.status
    if (method === 'HEAD' || s < 200 || s === 204 || s === 304) return Framing.NONE
    if (this.chunked) return Framing.CHUNKED
    if (this.transferEncoding) return Framing.CLOSE
    if (this.contentLength >= 0) return this.contentLength === 0 ? Framing.NONE : Framing.LENGTH
    return Framing.CLOSE
  }
}

/**
 * Parses upstream response heads; one per upstream connection, reused across responses. The head
 * it returns is reused too: it is valid until the next `parse` on the same parser.
 */
export class ResponseParser {
  private readonly offsets: Int32Array
  private readonly maxHeaderBytes: number
  private readonly maxHeaders: number
  private readonly res = new ResponseHead()
  private readonly result = { head: this.res, end: 0 }

  constructor(maxHeaderBytes = 64 * 1024, maxHeaders = 200) {
    this.maxHeaderBytes = maxHeaderBytes
    this.maxHeaders = maxHeaders
    this.offsets = new Int32Array(maxHeaders * FIELDS)
  }

  /**
   * Parses the response head at buf[start]. Returns null when incomplete, else the head and the
   * index after it. Throws UpstreamError('protocol') on a malformed or oversized head.
   */
  parse(
    buf: Buffer,
    start: number,
    searchFrom = start,
  ): { head: ResponseHead; end: number } | null {
    const end = findHeadEnd(buf, Math.max(start, searchFrom - 3))
    if (end < 0) {
      if (buf.length - start > this.maxHeaderBytes) {
        throw new UpstreamError('protocol', 'upstream response head too large')
      }
      return null
    }
    try {
      this.parseHead(buf.subarray(start, end))
      this.result.end = end
      return this.result
    } catch (err) {
      if (err instanceof HttpProtocolError) {
        throw new UpstreamError('protocol', `bad upstream response: ${err.message}`)
      }
      throw err
    }
  }

  private parseHead(buf: Buffer): void {
    const res = this.res
    res.reset()
    res.head = buf
    res.offsets = this.offsets
    // HTTP/1.x SP 3DIGIT SP reason CRLF
    if (
      buf[0] !== 0x48 ||
      buf[1] !== 0x54 ||
      buf[2] !== 0x54 ||
      buf[3] !== 0x50 ||
      buf[4] !== 0x2f ||
      buf[5] !== 0x31 ||
      buf[6] !== 0x2e ||
      buf[8] !== SP
    ) {
      throw new HttpProtocolError(502, 'invalid status line')
    }
    const minor = buf[7]! - 0x30
    if (minor !== 0 && minor !== 1) throw new HttpProtocolError(502, 'unsupported version')
    res.versionMinor = minor
    const status = parseDecimal(buf, 9, 12)
    if (status < 100 || status > 999 || (buf[12] !== SP && buf[12] !== CR)) {
      throw new HttpProtocolError(502, 'invalid status code')
    }
    res.status = status
    const cr = buf.indexOf(CR, 12)
    if (buf[cr + 1] !== LF) throw new HttpProtocolError(502, 'invalid status line')
    res.statusLineEnd = cr + 2
    res.headerCount = parseHeaderLines(buf, cr + 2, buf.length - 2, this.offsets, this.maxHeaders)
    interpret(buf, res, this.offsets)
  }
}

const el: ListElement = { start: 0, end: 0 }

function interpret(buf: Buffer, res: ResponseHead, offsets: Int32Array): void {
  let close = res.versionMinor === 0
  for (let i = 0; i < res.headerCount; i++) {
    const o = i * FIELDS
    const vs = offsets[o + F_VALUE]!
    const ve = offsets[o + F_VALUE_END]!
    const kind = offsets[o + F_KIND]
    if (kind === HeaderKind.CONTENT_LENGTH) {
      for (let j = nextListElement(buf, vs, ve, el); j >= 0; j = nextListElement(buf, j, ve, el)) {
        const n = parseDecimal(buf, el.start, el.end)
        if (n < 0 || (res.contentLength >= 0 && res.contentLength !== n)) {
          throw new HttpProtocolError(502, 'invalid Content-Length')
        }
        res.contentLength = n
      }
    } else if (kind === HeaderKind.TRANSFER_ENCODING) {
      res.transferEncoding = true
      for (let j = nextListElement(buf, vs, ve, el); j >= 0; j = nextListElement(buf, j, ve, el)) {
        res.chunked = equalsLower(buf, el.start, el.end, 'chunked')
      }
    } else if (kind === HeaderKind.CONNECTION) {
      for (let j = nextListElement(buf, vs, ve, el); j >= 0; j = nextListElement(buf, j, ve, el)) {
        if (equalsLower(buf, el.start, el.end, 'close')) close = true
        else if (equalsLower(buf, el.start, el.end, 'keep-alive')) {
          if (res.versionMinor === 0) close = false
        } else {
          ;(res.connectionNames ??= []).push(buf.toString('latin1', el.start, el.end).toLowerCase())
        }
      }
    }
  }
  if (res.transferEncoding && res.contentLength >= 0) {
    throw new HttpProtocolError(502, 'both Content-Length and Transfer-Encoding')
  }
  res.upstreamCloses = close
}

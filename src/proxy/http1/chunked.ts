/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { CR, FIELD_VCHAR, HEX, HTAB, LF, SP } from './chars.js'

const S_SIZE_START = 0
const S_SIZE = 1
const S_EXT = 2
const S_SIZE_LF = 3
const S_DATA = 4
const S_DATA_CR = 5
const S_DATA_LF = 6
const S_TRAILER_START = 7
const S_TRAILER = 8
const S_TRAILER_LF = 9
const S_END_LF = 10
const S_DONE = 11

/** Largest chunk-size accepted: 2^48 bytes, far beyond any real chunk, and exact in a double. */
const MAX_CHUNK = 2 ** 48

/** Returned by `scan` when the input was malformed. */
export const CHUNKED_ERROR = -2
/** Returned by `scan` when all input was consumed and the body is not finished. */
export const CHUNKED_MORE = -1

/**
 * Validates a chunked body as it streams through, without decoding it: the bytes are forwarded as
 * they are, so the scanner only has to find where the body ends and refuse bad framing (size lines,
 * missing CRLFs, oversized trailers). It keeps its state across calls, so chunks may split anywhere.
 */
export class ChunkedScanner {
  private state = S_SIZE_START
  private remaining = 0
  private trailerBytes = 0
  private readonly maxTrailerBytes: number
  /** Total data bytes seen (chunk payloads only). */
  dataBytes = 0

  constructor(maxTrailerBytes = 16 * 1024) {
    this.maxTrailerBytes = maxTrailerBytes
  }

  /** Whether the last chunk and its trailer section have been seen. */
  get done(): boolean {
    return this.state === S_DONE
  }

  /**
   * Scans buf[start, end). Returns the index just after the body's final CRLF when the body ends in
   * this range, CHUNKED_MORE when it needs more bytes, or CHUNKED_ERROR for bad framing.
   */
  // eslint-disable-next-line complexity -- one state machine over bytes; splitting it adds a call per byte
  scan(buf: Buffer, start: number, end: number): number {
    let i = start
    while (i < end) {
      const c = buf[i]!
      switch (this.state) {
        case S_SIZE_START:
          if (HEX[c] === 255) return CHUNKED_ERROR
          this.remaining = HEX[c]!
          this.state = S_SIZE
          i++
          break
        case S_SIZE:
          if (HEX[c] !== 255) {
            this.remaining = this.remaining * 16 + HEX[c]!
            if (this.remaining > MAX_CHUNK) return CHUNKED_ERROR
          } else if (c === CR) this.state = S_SIZE_LF
          else if (c === 0x3b || c === SP || c === HTAB) this.state = S_EXT
          else return CHUNKED_ERROR
          i++
          break
        case S_EXT:
          // chunk-ext is passed through unread; only its bytes are checked.
          if (c === CR) this.state = S_SIZE_LF
          else if (FIELD_VCHAR[c] !== 1) return CHUNKED_ERROR
          i++
          break
        case S_SIZE_LF:
          if (c !== LF) return CHUNKED_ERROR
          i++
          this.state = this.remaining === 0 ? S_TRAILER_START : S_DATA
          break
        case S_DATA: {
          const take = Math.min(this.remaining, end - i)
          i += take
          this.remaining -= take
          this.dataBytes += take
          if (this.remaining === 0) this.state = S_DATA_CR
          break
        }
        case S_DATA_CR:
          if (c !== CR) return CHUNKED_ERROR
          this.state = S_DATA_LF
          i++
          break
        case S_DATA_LF:
          if (c !== LF) return CHUNKED_ERROR
          this.state = S_SIZE_START
          i++
          break
        case S_TRAILER_START:
          if (c === CR) this.state = S_END_LF
          else if (FIELD_VCHAR[c] === 1 && c !== SP && c !== HTAB) this.state = S_TRAILER
          else return CHUNKED_ERROR
          if (++this.trailerBytes > this.maxTrailerBytes) return CHUNKED_ERROR
          i++
          break
        case S_TRAILER:
          if (c === CR) this.state = S_TRAILER_LF
          else if (FIELD_VCHAR[c] !== 1) return CHUNKED_ERROR
          if (++this.trailerBytes > this.maxTrailerBytes) return CHUNKED_ERROR
          i++
          break
        case S_TRAILER_LF:
          if (c !== LF) return CHUNKED_ERROR
          this.state = S_TRAILER_START
          i++
          break
        case S_END_LF:
          if (c !== LF) return CHUNKED_ERROR
          this.state = S_DONE
          return i + 1
        default:
          return CHUNKED_ERROR
      }
    }
    return CHUNKED_MORE
  }
}

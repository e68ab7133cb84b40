import { CHUNKED_ERROR, CHUNKED_MORE, ChunkedScanner } from './chunked.js'
import { Framing, type FramingValue } from './response-parser.js'

/**
 * Finds where a message body ends as its bytes stream through, for either direction: a
 * Content-Length count, a validated chunked body, or (responses only) the connection's close.
 */
export class BodyFramer {
  framing: FramingValue
  /** Whether the whole body has gone by. */
  done: boolean
  private remaining: number
  private scanner: ChunkedScanner | null

  constructor(framing: FramingValue, length: number) {
    this.framing = framing
    this.remaining = framing === Framing.LENGTH ? length : 0
    this.scanner = framing === Framing.CHUNKED ? new ChunkedScanner() : null
    this.done = framing === Framing.NONE
  }

  /** A framer for `framing`; bodiless messages share one (it never changes). */
  static of(framing: FramingValue, length: number): BodyFramer {
    return framing === Framing.NONE ? NONE : new BodyFramer(framing, length)
  }

  /** Framing of a request body. */
  static forRequest(chunked: boolean, contentLength: number): BodyFramer {
    if (chunked) return new BodyFramer(Framing.CHUNKED, 0)
    return contentLength > 0 ? new BodyFramer(Framing.LENGTH, contentLength) : NONE
  }

  /**
   * Consumes body bytes from buf[pos, end). Returns where the body's part in this range ends (end
   * when the body goes on; less when it finished inside), or -1 on bad chunked framing.
   */
  advance(buf: Buffer, pos: number, end: number): number {
    switch (this.framing) {
      case Framing.LENGTH: {
        const n = Math.min(this.remaining, end - pos)
        this.remaining -= n
        if (this.remaining === 0) this.done = true
        return pos + n
      }
      case Framing.CHUNKED: {
        const r = (this.scanner ??= new ChunkedScanner()).scan(buf, pos, end)
        if (r === CHUNKED_ERROR) return -1
        if (r === CHUNKED_MORE) return end
        this.done = true
        return r
      }
      case Framing.NONE:
        return pos
      case Framing.CLOSE:
        return end
    }
  }
}

const NONE = new BodyFramer(Framing.NONE, 0)

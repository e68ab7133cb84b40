/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { F_KIND, F_LINE, F_NAME_END, F_VALUE, F_VALUE_END, FIELDS } from './header-section.js'
import { equalsLower } from './chars.js'
import type { HeaderKindValue } from './header-kind.js'

/**
 * A parsed request head. Header bytes stay in `head`, indexed by `offsets`; the fields forwarding
 * needs are extracted. The object (and the buffer behind it) belongs to one exchange: read it
 * during `route` and the outcome callback, do not keep it afterwards.
 */
export class RequestHead {
  /** Method token, e.g. `GET`. */
  method = ''
  /** The request-target exactly as received. */
  target = ''
  /** The origin-form path and query: the target itself, or the path of an absolute-form target. */
  path = ''
  /** The authority to route by: the absolute-form URI's, else the Host header's value ('' if none). */
  authority = ''
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  versionMinor = 1
  /** Whether the target was absolute-form (`GET http://host/path`, a request sent as to an http_proxy). */
  absoluteForm = false
  /** Content-Length, or -1 when absent. */
  contentLength = -1
  /** Whether the body is chunked (Transfer-Encoding: chunked). */
  chunked = false
  /** Whether the client allows the connection to be reused after this exchange. */
  keepAlive = true
  /** Whether the client sent `Expect: 100-continue`. */
  expectContinue = false
  /** The Upgrade header's value when the client asked for a protocol upgrade, else ''. */
  upgrade = ''
  /** The whole head, request line to the empty line, as received. */
  head: Buffer = EMPTY
  /** End of the request line (index after its CRLF) within `head`. */
  requestLineEnd = 0
  /** Number of header lines. */
  headerCount = 0
  /** Lower-cased extra names listed in Connection, stripped when forwarding; null when none. */
  connectionNames: string[] | null = null
  /** Per-line offsets (see header-section.ts); shared with the connection's parser. */
  offsets: Int32Array = NO_OFFSETS

  /** Whether a body follows the head. */
  get hasBody(): boolean {
    return this.chunked || this.contentLength > 0
  }

  /** The first value of a header (name matched case-insensitively), or undefined. */
  header(name: string): string | undefined {
    const lower = name.toLowerCase()
    for (let i = 0; i < this.headerCount; i++) {
      const o = i * FIELDS
      if (equalsLower(this.head, this.offsets[o + F_LINE]!, this.offsets[o + F_NAME_END]!, lower)) {
        return this.head.toString(
          'latin1',
          this.offsets[o + F_VALUE],
          this.offsets[o + F_VALUE_END],
        )
      }
    }
    return undefined
  }

  /** Every header as [name, value] pairs in order (allocates; for tap and logs, not the hot path). */
  headers(): [string, string][] {
    const out: [string, string][] = []
    for (let i = 0; i < this.headerCount; i++) {
      const o = i * FIELDS
      out.push([
        this.head.toString('latin1', this.offsets[o + F_LINE], this.offsets[o + F_NAME_END]),
        this.head.toString('latin1', this.offsets[o + F_VALUE], this.offsets[o + F_VALUE_END]),
      ])
    }
    return out
  }

  /** The kind of header line i (see HeaderKind). */
  kindAt(i: number): HeaderKindValue {
    return this.offsets[i * FIELDS + F_KIND] as HeaderKindValue
  }
}

const EMPTY = Buffer.alloc(0)
const NO_OFFSETS = new Int32Array(0)

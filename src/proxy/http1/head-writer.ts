/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { equalsLower } from './chars.js'
import { HeaderKind, isHopByHop } from './header-kind.js'
import { F_KIND, F_LINE, F_NAME_END, F_VALUE, F_VALUE_END, FIELDS } from './header-section.js'
import type { RequestHead } from './request-head.js'
import type { ResponseHead } from './response-parser.js'

function namedInConnection(
  names: string[] | null,
  head: Buffer,
  o: Int32Array,
  i: number,
): boolean {
  if (names === null) return false
  const s = o[i * FIELDS + F_LINE]!
  const e = o[i * FIELDS + F_NAME_END]!
  for (const n of names) if (equalsLower(head, s, e, n)) return true
  return false
}

/**
 * The request head to send upstream: hop-by-hop lines dropped, `x-forwarded-for` appended (to the
 * client's own value if it sent one), absolute-form rewritten to origin-form with the URI's
 * authority as Host. Kept lines are copied as runs of raw bytes. `xffTail` is the per-connection
 * `x-forwarded-for: IP\r\n\r\n` used when the client sent none.
 */
export function buildRequestHead(req: RequestHead, clientIp: string, xffTail: Buffer): Buffer {
  const head = req.head
  if (isPlain(req)) {
    // The common case: everything but the closing CRLF, then the x-forwarded-for tail.
    const out = Buffer.allocUnsafe(head.length - 2 + xffTail.length)
    head.copy(out, 0, 0, head.length - 2)
    xffTail.copy(out, head.length - 2)
    return out
  }
  return rewriteRequestHead(req, clientIp, xffTail)
}

/** Whether the head can go upstream as it is (plus x-forwarded-for): nothing to drop or rewrite. */
function isPlain(req: RequestHead): boolean {
  if (req.absoluteForm || req.upgrade !== '' || req.connectionNames !== null) return false
  const o = req.offsets
  for (let i = 0; i < req.headerCount; i++) {
    const k = o[i * FIELDS + F_KIND]!
    if (
      k !== HeaderKind.OTHER &&
      k !== HeaderKind.HOST &&
      k !== HeaderKind.CONTENT_LENGTH &&
      k !== HeaderKind.TRANSFER_ENCODING &&
      k !== HeaderKind.EXPECT
    ) {
      return false
    }
  }
  return true
}

/** The general case: copy the kept lines as runs, then the added lines. */
function rewriteRequestHead(req: RequestHead, clientIp: string, xffTail: Buffer): Buffer {
  const head = req.head
  const o = req.offsets
  const n = req.headerCount
  let xff: string | null = null
  const parts: Buffer[] = []
  let size = 0
  const push = (b: Buffer): void => {
    parts.push(b)
    size += b.length
  }
  if (req.absoluteForm) {
    push(Buffer.from(`${req.method} ${req.path} HTTP/1.${req.versionMinor}\r\n`, 'latin1'))
  } else {
    push(head.subarray(0, req.requestLineEnd))
  }
  let runStart = req.requestLineEnd
  for (let i = 0; i < n; i++) {
    const lineStart = o[i * FIELDS + F_LINE]!
    const k = o[i * FIELDS + F_KIND]! as (typeof HeaderKind)[keyof typeof HeaderKind]
    const drop =
      isHopByHop(k) ||
      k === HeaderKind.X_FORWARDED_FOR ||
      (k === HeaderKind.HOST && req.absoluteForm) ||
      namedInConnection(req.connectionNames, head, o, i)
    if (!drop) continue
    if (k === HeaderKind.X_FORWARDED_FOR) {
      const v = head.toString('latin1', o[i * FIELDS + F_VALUE], o[i * FIELDS + F_VALUE_END])
      xff = xff === null ? v : `${xff}, ${v}`
    }
    if (lineStart > runStart) push(head.subarray(runStart, lineStart))
    runStart = i + 1 < n ? o[(i + 1) * FIELDS + F_LINE]! : head.length - 2
  }
  if (head.length - 2 > runStart) push(head.subarray(runStart, head.length - 2))
  let extra = ''
  if (req.absoluteForm) extra += `host: ${req.authority}\r\n`
  if (req.upgrade !== '') extra += `connection: upgrade\r\nupgrade: ${req.upgrade}\r\n`
  if (xff === null) {
    if (extra !== '') push(Buffer.from(extra, 'latin1'))
    push(xffTail)
  } else {
    push(Buffer.from(`${extra}x-forwarded-for: ${xff}, ${clientIp}\r\n\r\n`, 'latin1'))
  }
  return Buffer.concat(parts, size)
}

function dropResponseLine(res: ResponseHead, i: number, keepUpgrade: boolean): boolean {
  const k = res.offsets[i * FIELDS + F_KIND]! as (typeof HeaderKind)[keyof typeof HeaderKind]
  if (k === HeaderKind.UPGRADE || k === HeaderKind.CONNECTION) return !keepUpgrade
  if (isHopByHop(k)) return true
  return namedInConnection(res.connectionNames, res.head, res.offsets, i)
}

/**
 * Removes the response's hop-by-hop lines in place, moving the kept bytes right so they end where
 * the head ended and stay contiguous with the body that follows in the same buffer. Returns the new
 * start of the head within `res.head`. No allocation; `res` must not be read afterwards.
 */
export function compactResponseHead(res: ResponseHead, keepUpgrade: boolean): number {
  const head = res.head
  const o = res.offsets
  let w = head.length - 2
  let segEnd = head.length - 2
  for (let i = res.headerCount - 1; i >= 0; i--) {
    const ls = o[i * FIELDS + F_LINE]!
    if (!dropResponseLine(res, i, keepUpgrade)) continue
    const le = i + 1 < res.headerCount ? o[(i + 1) * FIELDS + F_LINE]! : head.length - 2
    // Move the kept segment [le, segEnd) to end at w.
    if (segEnd > le) {
      if (w !== segEnd) head.copyWithin(w - (segEnd - le), le, segEnd)
      w -= segEnd - le
    }
    segEnd = ls
  }
  if (w !== segEnd) head.copyWithin(w - segEnd, 0, segEnd)
  return w - segEnd
}

/** A response head with hop-by-hop lines removed and `connection: close` added, newly allocated. */
export function buildClosingResponseHead(res: ResponseHead, keepUpgrade: boolean): Buffer {
  const start = compactResponseHead(res, keepUpgrade)
  const head = res.head
  const tail = Buffer.from('connection: close\r\n\r\n', 'latin1')
  const out = Buffer.allocUnsafe(head.length - 2 - start + tail.length)
  head.copy(out, 0, start, head.length - 2)
  tail.copy(out, head.length - 2 - start)
  return out
}

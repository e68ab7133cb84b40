/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
import { COLON, CR, FIELD_VCHAR, HTAB, LF, SP, TCHAR } from './chars.js'
import { HttpProtocolError } from './errors.js'
import { classifyHeader } from './header-kind.js'

/**
 * Header lines are kept as offsets into the head buffer, five int32 per line, so the bytes can be
 * copied through untouched and only the few names forwarding needs become strings.
 */
export const F_LINE = 0
export const F_NAME_END = 1
export const F_VALUE = 2
export const F_VALUE_END = 3
export const F_KIND = 4
export const FIELDS = 5

/**
 * Parses the header lines in buf[pos, sectionEnd), where sectionEnd is the index of the CRLF of
 * the empty line closing the head. Fills `out` and returns the number of lines. Strict: no obs-fold,
 * no whitespace before the colon, no control bytes in values, CRLF line ends only.
 */
export function parseHeaderLines(
  buf: Buffer,
  pos: number,
  sectionEnd: number,
  out: Int32Array,
  maxHeaders: number,
): number {
  let count = 0
  while (pos < sectionEnd) {
    const lineStart = pos
    const first = buf[pos]
    if (first === SP || first === HTAB) {
      throw new HttpProtocolError(400, 'obsolete line folding in header section')
    }
    while (pos < sectionEnd && TCHAR[buf[pos]!] === 1) pos++
    const nameEnd = pos
    if (nameEnd === lineStart) throw new HttpProtocolError(400, 'invalid header name')
    if (buf[pos] !== COLON) throw new HttpProtocolError(400, 'invalid byte in header name')
    pos++
    while (buf[pos] === SP || buf[pos] === HTAB) pos++
    const valueStart = pos
    while (pos < sectionEnd && FIELD_VCHAR[buf[pos]!] === 1) pos++
    if (buf[pos] !== CR || buf[pos + 1] !== LF) {
      throw new HttpProtocolError(400, 'invalid byte in header value')
    }
    let valueEnd = pos
    while (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) {
      valueEnd--
    }
    pos += 2
    if (count >= maxHeaders) throw new HttpProtocolError(431, 'too many header fields')
    const o = count * FIELDS
    out[o + F_LINE] = lineStart
    out[o + F_NAME_END] = nameEnd
    out[o + F_VALUE] = valueStart
    out[o + F_VALUE_END] = valueEnd
    out[o + F_KIND] = classifyHeader(buf, lineStart, nameEnd)
    count++
  }
  return count
}

/** The bounds of one element of a comma-separated header value (see `nextListElement`). */
export interface ListElement {
  start: number
  end: number
}

/**
 * Finds the next comma-separated, OWS-trimmed, non-empty element of buf[from, end) and stores its
 * bounds in `el`. Returns where to continue, or -1 when there is none. No callback, no allocation.
 */
export function nextListElement(buf: Buffer, from: number, end: number, el: ListElement): number {
  let i = from
  while (i < end) {
    while (i < end && (buf[i] === SP || buf[i] === HTAB || buf[i] === 0x2c)) i++
    const s = i
    while (i < end && buf[i] !== 0x2c) i++
    let e = i
    while (e > s && (buf[e - 1] === SP || buf[e - 1] === HTAB)) e--
    if (e > s) {
      el.start = s
      el.end = e
      return i
    }
  }
  return -1
}

/** Finds the header section's closing CRLFCRLF from `from`; returns the index after it, or -1. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1')

export function findHeadEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(HEAD_END, from)
  return i < 0 ? -1 : i + 4
}

/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte loops index inside bounds they check; a fallback per byte would cost on the hot path */
/**
 * Byte classes and small byte helpers for the HTTP/1.1 parsers. Lookup tables, not regexes: the
 * parsers run once per request on the hot path.
 */

export const CR = 0x0d
export const LF = 0x0a
export const SP = 0x20
export const HTAB = 0x09
export const COLON = 0x3a

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256)
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0
  return t
}

const TCHAR_EXTRA = "!#$%&'*+-.^_`|~"

/** RFC 9110 `tchar`: the bytes of a token (method, header name). */
export const TCHAR = table(
  (c) =>
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    TCHAR_EXTRA.includes(String.fromCharCode(c)),
)

/** Bytes allowed in a header field value: VCHAR, obs-text, SP and HTAB (no CTL, no DEL). */
export const FIELD_VCHAR = table((c) => c === HTAB || (c >= 0x20 && c !== 0x7f))

/** Bytes allowed in a request-target: visible ASCII only. */
export const TARGET_CHAR = table((c) => c > 0x20 && c < 0x7f)

/** Hex digit values, or 255 for a byte that is not one. */
export const HEX = (() => {
  const t = new Uint8Array(256).fill(255)
  for (let c = 0; c < 10; c++) t[0x30 + c] = c
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c
    t[0x61 + c] = 10 + c
  }
  return t
})()

/** Whether buf[start, end) equals `lower` (ASCII, already lower case), ignoring ASCII case. */
export function equalsLower(buf: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    let c = buf[start + i]!
    if (c >= 0x41 && c <= 0x5a) c |= 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Parses a non-negative decimal integer from buf[start, end); -1 when it is not one or too large. */
export function parseDecimal(buf: Buffer, start: number, end: number): number {
  if (start >= end || end - start > 15) return -1
  let n = 0
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 0x30
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

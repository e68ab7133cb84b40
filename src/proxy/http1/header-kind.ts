import { equalsLower } from './chars.js'

/** The header names forwarding must understand; everything else passes through as bytes. */
export const HeaderKind = {
  OTHER: 0,
  HOST: 1,
  CONTENT_LENGTH: 2,
  TRANSFER_ENCODING: 3,
  CONNECTION: 4,
  KEEP_ALIVE: 5,
  PROXY_CONNECTION: 6,
  TE: 7,
  TRAILER: 8,
  UPGRADE: 9,
  EXPECT: 10,
  X_FORWARDED_FOR: 11,
} as const

export type HeaderKindValue = (typeof HeaderKind)[keyof typeof HeaderKind]

/** Classifies the header name in buf[start, end) by length first, so most names cost one compare. */
export function classifyHeader(buf: Buffer, start: number, end: number): HeaderKindValue {
  switch (end - start) {
    case 2:
      return equalsLower(buf, start, end, 'te') ? HeaderKind.TE : HeaderKind.OTHER
    case 4:
      return equalsLower(buf, start, end, 'host') ? HeaderKind.HOST : HeaderKind.OTHER
    case 6:
      return equalsLower(buf, start, end, 'expect') ? HeaderKind.EXPECT : HeaderKind.OTHER
    case 7:
      if (equalsLower(buf, start, end, 'upgrade')) return HeaderKind.UPGRADE
      return equalsLower(buf, start, end, 'trailer') ? HeaderKind.TRAILER : HeaderKind.OTHER
    case 10:
      if (equalsLower(buf, start, end, 'connection')) return HeaderKind.CONNECTION
      return equalsLower(buf, start, end, 'keep-alive') ? HeaderKind.KEEP_ALIVE : HeaderKind.OTHER
    case 14:
      return equalsLower(buf, start, end, 'content-length')
        ? HeaderKind.CONTENT_LENGTH
        : HeaderKind.OTHER
    case 15:
      return equalsLower(buf, start, end, 'x-forwarded-for')
        ? HeaderKind.X_FORWARDED_FOR
        : HeaderKind.OTHER
    case 16:
      return equalsLower(buf, start, end, 'proxy-connection')
        ? HeaderKind.PROXY_CONNECTION
        : HeaderKind.OTHER
    case 17:
      return equalsLower(buf, start, end, 'transfer-encoding')
        ? HeaderKind.TRANSFER_ENCODING
        : HeaderKind.OTHER
    default:
      return HeaderKind.OTHER
  }
}

/** Hop-by-hop headers: never forwarded as received (RFC 9110 section 7.6.1). */
export function isHopByHop(kind: HeaderKindValue): boolean {
  return (
    kind === HeaderKind.CONNECTION ||
    kind === HeaderKind.KEEP_ALIVE ||
    kind === HeaderKind.PROXY_CONNECTION ||
    kind === HeaderKind.TE ||
    kind === HeaderKind.TRAILER ||
    kind === HeaderKind.UPGRADE
  )
}

import { ErrorCodes, FledgeError } from '../../util/errors.js'

/** A client's request broke HTTP/1.1 or a limit; `status` is what the listener answers with. */
export class HttpProtocolError extends FledgeError {
  /** 400, 413, 431, 501 or 505. */
  readonly status: number

  constructor(status: number, message: string) {
    super(ErrorCodes.HTTP_PROTOCOL, message)
    this.status = status
  }
}

/**
 * What went wrong talking to an upstream. The caller maps it to a status (see `statusForError`):
 * it decides, because a retry or a circuit breaker may want a different answer.
 */
export type UpstreamErrorKind =
  /** The TCP connect was refused or the address is unreachable. */
  | 'connect-refused'
  /** The TCP connect did not finish within the connect timeout. */
  | 'connect-timeout'
  /** The connection was reset or closed before the response was complete. */
  | 'reset'
  /** No response head within the request timeout, or the body stalled past it. */
  | 'timeout'
  /** The upstream's response was not valid HTTP/1.1. */
  | 'protocol'
  /** The client went away first; nothing is sent back. */
  | 'client-aborted'

/** An upstream failure, typed by kind. */
export class UpstreamError extends FledgeError {
  readonly kind: UpstreamErrorKind

  constructor(kind: UpstreamErrorKind, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.UPSTREAM, message, options)
    this.kind = kind
  }
}

/** The conventional status for an upstream failure: 502 bad gateway, 503 unavailable, 504 timeout. */
export function statusForError(kind: UpstreamErrorKind): number {
  switch (kind) {
    case 'connect-refused':
      return 503
    case 'connect-timeout':
    case 'timeout':
      return 504
    case 'reset':
    case 'protocol':
      return 502
    case 'client-aborted':
      // Never sent (the client is gone); 499 is nginx's convention for metrics.
      return 499
  }
}

import type { ErrorResponse } from './error-response.js'
import type { UpstreamPool } from './pool.js'

/** The client side of an exchange, implemented by the listener's connection. */
export interface ClientSide {
  readonly ip: string
  /** `x-forwarded-for: <ip>\r\n\r\n`, built once per connection. */
  readonly xffTail: Buffer
  /** Writes to the client; false means wait for `onClientDrain`. */
  write(data: Buffer): boolean
  cork(): void
  uncork(): void
  /** Stops or restarts reading request bytes (backpressure from upstream). */
  pauseBody(paused: boolean): void
  /** The exchange is over; reuse the connection for the next request when `keepAlive`. */
  exchangeDone(keepAlive: boolean): void
  /** The exchange failed and its status code was decided: write an error response. */
  respond(res: ErrorResponse, keepAlive: boolean): void
  /** The response broke midway: drop the client connection. */
  destroy(): void
}

/** Shared settings for exchanges. */
export interface ExchangeSettings {
  readonly pool: UpstreamPool
  readonly defaultTimeoutMs: number
  /** A routing callback threw: the exchange goes on as if it had returned nothing. */
  readonly onInternalError: (err: unknown) => void
}

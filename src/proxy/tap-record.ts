import type { ProxyCore, Route } from './core.js'
import type { Final } from './exchange.js'
import { isFailure } from './metrics.js'

/** What a listener knows of a finished request, for the tap stream. */
export interface TapInfo {
  readonly protocol: 'http/1.1' | 'h2'
  readonly method: string
  readonly path: string
  readonly authority: string
  /** Epoch ms at arrival. */
  readonly started: number
  readonly status: number | undefined
  readonly grpcStatus?: number | undefined
  readonly error: string | undefined
  readonly final: Final<unknown>
}

/** Publishes one finished request to tap listeners (call only when `core.tap.active`). */
export function publishTap(core: ProxyCore, route: Route, info: TapInfo): void {
  const f = info.final
  const attempt = f.kind === 'response' ? f.attempt : undefined
  core.tap.publish({
    id: core.tap.nextId(),
    ts: info.started,
    protocol: info.protocol,
    method: info.method,
    authority: info.authority,
    path: info.path,
    service: route.service,
    backend: attempt?.target.backend ?? (f.kind === 'error' ? f.backend : ''),
    endpoint: attempt?.endpoint.key ?? '',
    status: info.status,
    grpcStatus: info.grpcStatus,
    classification:
      info.error !== undefined || isFailure(info.status, info.grpcStatus) ? 'failure' : 'success',
    error: info.error,
    latencyMs: attempt?.latencyMs,
    durationMs: Date.now() - info.started,
    attempts: f.attempts,
  })
}

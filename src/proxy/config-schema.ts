import { z } from 'zod'
import { DurationSchema } from '../api/common.js'
import { parseDuration } from '../util/duration.js'

/**
 * The proxy's `--config` file. Every field is optional: the defaults are Linkerd's (see
 * docs/proxy.md). Durations are Go-style strings (`10s`, `500ms`).
 */

const EndpointSchema = z.strictObject({
  ip: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** Relative capacity, as Linkerd 1's `* WEIGHT`; the balancer divides an endpoint's load by it. */
  weight: z.number().positive().optional(),
})

const RetryOnSchema = z.enum(['connect-error', '5xx', 'gateway-error'])

const ServiceSchema = z.strictObject({
  endpoints: z.array(EndpointSchema).optional(),
  /** Labels for the inbound-side metrics, so Flagger's Linkerd queries select this backend. */
  deployment: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  /** Overrides of the global request timeout and retry conditions for this service. */
  timeout: DurationSchema.optional(),
  retryOn: z.array(RetryOnSchema).optional(),
})

export const ProxyConfigSchema = z.strictObject({
  /** Namespace label on metrics when a service does not set its own. */
  namespace: z.string().min(1).optional(),
  timeouts: z
    .strictObject({
      /** Request received → response headers received; 504 after it. */
      request: DurationSchema.optional(),
      /** Connecting to an endpoint. */
      connect: DurationSchema.optional(),
      /** A client must send its request headers within this. */
      header: DurationSchema.optional(),
      /** A kept-alive client connection with no request in flight is closed after this. */
      idle: DurationSchema.optional(),
      /** No body byte from the upstream for this long aborts the response. */
      responseIdle: DurationSchema.optional(),
      /** On SIGTERM, requests in flight get this long to finish. */
      drain: DurationSchema.optional(),
    })
    .optional(),
  retries: z
    .strictObject({
      /** Retries per request at most (Linkerd `retry.linkerd.io/limit`). */
      limit: z.number().int().min(0).max(10).optional(),
      on: z.array(RetryOnSchema).optional(),
      /** Requests with larger bodies are never retried (the body would have to be buffered). */
      maxBodyBytes: z.number().int().min(0).optional(),
      budget: z
        .strictObject({
          ratio: z.number().min(0).max(1000).optional(),
          minPerSecond: z.number().min(0).optional(),
          ttl: DurationSchema.optional(),
        })
        .optional(),
    })
    .optional(),
  breaker: z
    .strictObject({
      enabled: z.boolean().optional(),
      consecutiveFailures: z.number().int().min(1).optional(),
      minPenalty: DurationSchema.optional(),
      maxPenalty: DurationSchema.optional(),
      jitterRatio: z.number().min(0).max(100).optional(),
      /** Route a split's traffic away from a backend whose endpoints are all tripped (failover). */
      skipUnavailableBackends: z.boolean().optional(),
    })
    .optional(),
  balancer: z
    .strictObject({
      defaultRtt: DurationSchema.optional(),
      decay: DurationSchema.optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      maxHeaderBytes: z.number().int().min(1024).max(1_048_576).optional(),
      maxHeaders: z.number().int().min(1).max(1000).optional(),
      /** Kept-alive upstream connections per endpoint. */
      upstreamConnections: z.number().int().min(1).max(10_000).optional(),
      /** Client connections open at once; more are refused. */
      maxConnections: z.number().int().min(1).optional(),
    })
    .optional(),
  services: z.record(z.string().min(1), ServiceSchema).optional(),
  /** TrafficSplits inline; validated with the SMI schema when the file is loaded. */
  splits: z.array(z.unknown()).optional(),
})
export type ProxyConfig = z.infer<typeof ProxyConfigSchema>
export type RetryOn = z.infer<typeof RetryOnSchema>

/** The resolved settings, in milliseconds and plain numbers. */
export interface ProxySettings {
  readonly namespace: string
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly headerTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly responseIdleTimeoutMs: number
  readonly drainTimeoutMs: number
  readonly retryLimit: number
  readonly retryOn: readonly RetryOn[]
  readonly retryMaxBodyBytes: number
  readonly budgetRatio: number
  readonly budgetMinPerSecond: number
  readonly budgetTtlMs: number
  readonly breakerEnabled: boolean
  readonly breakerFailures: number
  readonly breakerMinPenaltyMs: number
  readonly breakerMaxPenaltyMs: number
  readonly breakerJitter: number
  readonly skipUnavailableBackends: boolean
  readonly defaultRttMs: number
  readonly decayMs: number
  readonly maxHeaderBytes: number
  readonly maxHeaders: number
  readonly upstreamConnections: number
  readonly maxConnections: number
}

/** Linkerd's defaults (reference: linkerd.md §4), plus header limits in the range nginx uses. */
export const DEFAULT_SETTINGS: ProxySettings = {
  namespace: 'default',
  requestTimeoutMs: 10_000,
  connectTimeoutMs: 1_000,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  responseIdleTimeoutMs: 300_000,
  drainTimeoutMs: 5_000,
  retryLimit: 1,
  retryOn: ['connect-error'],
  retryMaxBodyBytes: 64 * 1024,
  budgetRatio: 0.2,
  budgetMinPerSecond: 10,
  budgetTtlMs: 10_000,
  breakerEnabled: true,
  breakerFailures: 7,
  breakerMinPenaltyMs: 1_000,
  breakerMaxPenaltyMs: 60_000,
  breakerJitter: 0.5,
  skipUnavailableBackends: false,
  defaultRttMs: 30,
  decayMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 100,
  upstreamConnections: 64,
  maxConnections: 20_000,
}

/** Applies a validated config file over the defaults. */
export function resolveSettings(config: ProxyConfig | undefined): ProxySettings {
  const c = config ?? {}
  return {
    namespace: c.namespace ?? DEFAULT_SETTINGS.namespace,
    ...timeoutSettings(c.timeouts ?? {}),
    ...retrySettings(c.retries ?? {}),
    ...breakerSettings(c.breaker ?? {}),
    defaultRttMs: ms(c.balancer?.defaultRtt, DEFAULT_SETTINGS.defaultRttMs),
    decayMs: ms(c.balancer?.decay, DEFAULT_SETTINGS.decayMs),
    maxHeaderBytes: c.limits?.maxHeaderBytes ?? DEFAULT_SETTINGS.maxHeaderBytes,
    maxHeaders: c.limits?.maxHeaders ?? DEFAULT_SETTINGS.maxHeaders,
    upstreamConnections: c.limits?.upstreamConnections ?? DEFAULT_SETTINGS.upstreamConnections,
    maxConnections: c.limits?.maxConnections ?? DEFAULT_SETTINGS.maxConnections,
  }
}

const ms = (v: string | undefined, def: number): number =>
  v === undefined ? def : parseDuration(v)

function timeoutSettings(t: NonNullable<ProxyConfig['timeouts']>) {
  const d = DEFAULT_SETTINGS
  return {
    requestTimeoutMs: ms(t.request, d.requestTimeoutMs),
    connectTimeoutMs: ms(t.connect, d.connectTimeoutMs),
    headerTimeoutMs: ms(t.header, d.headerTimeoutMs),
    idleTimeoutMs: ms(t.idle, d.idleTimeoutMs),
    responseIdleTimeoutMs: ms(t.responseIdle, d.responseIdleTimeoutMs),
    drainTimeoutMs: ms(t.drain, d.drainTimeoutMs),
  }
}

function retrySettings(r: NonNullable<ProxyConfig['retries']>) {
  const d = DEFAULT_SETTINGS
  return {
    retryLimit: r.limit ?? d.retryLimit,
    retryOn: r.on ?? d.retryOn,
    retryMaxBodyBytes: r.maxBodyBytes ?? d.retryMaxBodyBytes,
    budgetRatio: r.budget?.ratio ?? d.budgetRatio,
    budgetMinPerSecond: r.budget?.minPerSecond ?? d.budgetMinPerSecond,
    budgetTtlMs: ms(r.budget?.ttl, d.budgetTtlMs),
  }
}

function breakerSettings(b: NonNullable<ProxyConfig['breaker']>) {
  const d = DEFAULT_SETTINGS
  return {
    breakerEnabled: b.enabled ?? d.breakerEnabled,
    breakerFailures: b.consecutiveFailures ?? d.breakerFailures,
    breakerMinPenaltyMs: ms(b.minPenalty, d.breakerMinPenaltyMs),
    breakerMaxPenaltyMs: ms(b.maxPenalty, d.breakerMaxPenaltyMs),
    breakerJitter: b.jitterRatio ?? d.breakerJitter,
    skipUnavailableBackends: b.skipUnavailableBackends ?? d.skipUnavailableBackends,
  }
}

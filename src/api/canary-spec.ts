import { z } from 'zod'
import { DurationSchema, LocalObjectReferenceSchema, PercentSchema } from './common.js'

/** Traffic providers a Canary may name: Flagger's list, plus fledge's own proxy. */
export const PROVIDERS = [
  'fledge',
  'linkerd',
  'smi',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
  'smi:v1alpha4',
  'gatewayapi',
  'gatewayapi:v1',
  'gatewayapi:v1beta1',
  'kubernetes',
  'apisix',
  'appmesh',
  'appmesh:v1beta2',
  'contour',
  'gloo',
  'istio',
  'knative',
  'kuma',
  'nginx',
  'osm',
  'skipper',
  'traefik',
] as const

export const TargetRefSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.enum(['Deployment', 'DaemonSet', 'Service']),
  name: z.string().min(1),
})

const MetadataOverrideSchema = z.strictObject({
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
})

const GatewayRefSchema = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  sectionName: z.string().optional(),
})

const StringMatchSchema = z.strictObject({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
  regex: z.string().optional(),
})
export type StringMatch = z.infer<typeof StringMatchSchema>

/** A/B routing condition: Istio's HTTPMatchRequest, which is what Flagger's `match` is. */
export const MatchSchema = z.strictObject({
  headers: z.record(z.string(), StringMatchSchema).optional(),
  queryParams: z.record(z.string(), StringMatchSchema).optional(),
  sourceLabels: z.record(z.string(), z.string()).optional(),
  uri: StringMatchSchema.optional(),
  method: StringMatchSchema.optional(),
  // The rest of HTTPMatchRequest, so Istio users' Flagger manifests validate unchanged.
  name: z.string().optional(),
  scheme: StringMatchSchema.optional(),
  authority: StringMatchSchema.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  gateways: z.array(z.string()).optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: z.record(z.string(), StringMatchSchema).optional(),
  sourceNamespace: z.string().optional(),
})
export type Match = z.infer<typeof MatchSchema>

const Opaque = z.record(z.string(), z.unknown())

export const CanaryServiceSchema = z.strictObject({
  name: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  portName: z.string().optional(),
  targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1)]).optional(),
  appProtocol: z.string().optional(),
  trafficDistribution: z.enum(['PreferClose', 'PreferSameZone', 'PreferSameNode']).optional(),
  portDiscovery: z.boolean().optional(),
  headless: z.boolean().optional(),
  timeout: DurationSchema.optional(),
  backendTimeout: DurationSchema.optional(),
  gateways: z.array(z.string()).optional(),
  gatewayRefs: z.array(GatewayRefSchema).optional(),
  hosts: z.array(z.string()).optional(),
  delegation: z.boolean().optional(),
  trafficPolicy: Opaque.optional(),
  match: z.array(Opaque).optional(),
  rewrite: z
    .strictObject({
      uri: z.string().optional(),
      authority: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
  retries: z
    .strictObject({
      attempts: z.number().int().min(0).optional(),
      perTryTimeout: DurationSchema.optional(),
      retryOn: z.string().optional(),
    })
    .optional(),
  headers: Opaque.optional(),
  mirror: z.array(Opaque).optional(),
  corsPolicy: Opaque.optional(),
  meshName: z.string().optional(),
  backends: z.array(z.string()).optional(),
  apex: MetadataOverrideSchema.optional(),
  primary: MetadataOverrideSchema.optional(),
  canary: MetadataOverrideSchema.optional(),
  unmanagedMetadata: z
    .strictObject({
      labels: z.array(z.string()).optional(),
      annotations: z.array(z.string()).optional(),
    })
    .optional(),
})

/** Statistical canary-versus-primary comparison of one metric (fledge addition). */
export const CompareSchema = z.strictObject({
  /** Confidence of the test, e.g. 0.95. */
  confidence: z.number().gt(0).lt(1).optional(),
  /** Requests per side below which the result is Inconclusive. */
  minSampleSize: z.number().int().min(1).optional(),
  /** Largest tolerated degradation: percentage points for success rate, ms for latency. */
  tolerance: z.number().min(0).optional(),
})

export const MetricSchema = z.strictObject({
  name: z.string().min(1),
  interval: DurationSchema.optional(),
  /** Deprecated in Flagger in favour of thresholdRange; still honoured. */
  threshold: z.number().optional(),
  thresholdRange: z
    .strictObject({ min: z.number().optional(), max: z.number().optional() })
    .optional(),
  /** Deprecated inline PromQL; prefer templateRef. */
  query: z.string().min(1).optional(),
  templateRef: LocalObjectReferenceSchema.optional(),
  templateVariables: z.record(z.string(), z.string()).optional(),
  compare: CompareSchema.optional(),
})
export type Metric = z.infer<typeof MetricSchema>

export const WEBHOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const
export type WebhookType = (typeof WEBHOOK_TYPES)[number]

export const WebhookSchema = z.strictObject({
  name: z.string().min(1),
  /** Empty means `rollout`, as in Flagger. */
  type: z.enum(['', ...WEBHOOK_TYPES]).optional(),
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  timeout: DurationSchema.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  disableTLS: z.boolean().optional(),
  muteAlert: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
})
export type Webhook = z.infer<typeof WebhookSchema>

export const AlertSchema = z.strictObject({
  name: z.string().min(1),
  severity: z.enum(['', 'info', 'warn', 'error']).optional(),
  providerRef: LocalObjectReferenceSchema,
})
export type Alert = z.infer<typeof AlertSchema>

/** When a Canary may advance: minutes matching a cron expression (fledge addition). */
export const RolloutWindowSchema = z.strictObject({
  /** Five-field cron expression; every matching minute is inside the window. */
  schedule: z.string().min(1),
  /** IANA time zone the expression is read in; UTC when absent. */
  timeZone: z.string().optional(),
})
export type RolloutWindow = z.infer<typeof RolloutWindowSchema>

export const AnalysisSchema = z.strictObject({
  interval: DurationSchema.optional(),
  threshold: z.number().int().optional(),
  maxWeight: PercentSchema.optional(),
  stepWeight: z.number().gt(0).max(100).optional(),
  stepWeights: z.array(z.number().gt(0).max(100)).min(1).optional(),
  stepWeightPromotion: z.number().min(0).max(100).optional(),
  iterations: z.number().int().min(0).optional(),
  mirror: z.boolean().optional(),
  mirrorWeight: PercentSchema.optional(),
  primaryReadyThreshold: PercentSchema.optional(),
  canaryReadyThreshold: PercentSchema.optional(),
  match: z.array(MatchSchema).optional(),
  metrics: z.array(MetricSchema).optional(),
  webhooks: z.array(WebhookSchema).optional(),
  alerts: z.array(AlertSchema).optional(),
  sessionAffinity: Opaque.optional(),
  /** Consecutive no-data ticks that count as one failed check (fledge; 0 = never). */
  inconclusiveLimit: z.number().int().min(0).optional(),
  /** Consecutive metrics-backend-error ticks that count as one failed check (fledge; 0 = never). */
  errorLimit: z.number().int().min(0).optional(),
  /** Windows in which the Canary may advance; outside them it holds its weight (fledge). */
  rolloutWindows: z.array(RolloutWindowSchema).optional(),
})
export type Analysis = z.infer<typeof AnalysisSchema>

export const CanarySpecSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS).optional(),
    metricsServer: z.string().optional(),
    targetRef: TargetRefSchema,
    autoscalerRef: Opaque.optional(),
    ingressRef: Opaque.optional(),
    routeRef: Opaque.optional(),
    upstreamRef: Opaque.optional(),
    service: CanaryServiceSchema,
    analysis: AnalysisSchema.optional(),
    /** Deprecated Flagger alias of `analysis`. */
    canaryAnalysis: AnalysisSchema.optional(),
    progressDeadlineSeconds: z.number().int().min(1).optional(),
    skipAnalysis: z.boolean().optional(),
    revertOnDeletion: z.boolean().optional(),
    suspend: z.boolean().optional(),
  })
  .superRefine((spec, ctx) => {
    const analysis = spec.analysis ?? spec.canaryAnalysis
    const key = spec.analysis !== undefined ? 'analysis' : 'canaryAnalysis'
    if (analysis === undefined) return
    const { stepWeight, stepWeights, iterations } = analysis
    if (stepWeight === undefined && stepWeights === undefined && iterations === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'one of stepWeight, stepWeights or iterations is required',
      })
    }
    if (stepWeights !== undefined) {
      for (let i = 1; i < stepWeights.length; i++) {
        if ((stepWeights[i] ?? 0) <= (stepWeights[i - 1] ?? 0)) {
          ctx.addIssue({
            code: 'custom',
            path: [key, 'stepWeights', i],
            message: 'stepWeights must increase strictly',
          })
        }
      }
    }
    analysis.match?.forEach((m, i) => {
      if ((analysis.iterations ?? 0) === 0) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'match', i],
          message: 'A/B testing with match needs analysis.iterations > 0',
        })
      }
      const keys = Object.keys(m) as (keyof Match)[]
      const conditions = keys.filter((k) => k !== 'name' && m[k] !== undefined)
      if (conditions.length === 0) {
        ctx.addIssue({ code: 'custom', path: [key, 'match', i], message: 'empty match condition' })
      }
    })
    analysis.metrics?.forEach((m, i) => {
      const builtin = m.name === 'request-success-rate' || m.name === 'request-duration'
      if (!builtin && m.templateRef === undefined && m.query === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'metrics', i],
          message: `metric "${m.name}" is not builtin (request-success-rate, request-duration) and has no templateRef or query`,
        })
      }
    })
  })
export type CanarySpec = z.infer<typeof CanarySpecSchema>

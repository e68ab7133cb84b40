import { z } from 'zod'
import { DurationSchema, ObjectMetaSchema } from './common.js'
import { API_VERSION, FLAGGER_API_VERSION } from './canary.js'

/** Metrics backends. fledge runs `prometheus` and `in-process`; the others validate for Flagger parity. */
export const METRICS_PROVIDER_TYPES = [
  'prometheus',
  'in-process',
  'influxdb',
  'datadog',
  'externalmetrics',
  'stackdriver',
  'cloudwatch',
  'newrelic',
  'graphite',
  'dynatrace',
  'keptn',
  'splunk',
] as const

export const MetricsProviderSpecSchema = z.strictObject({
  type: z.enum(METRICS_PROVIDER_TYPES),
  address: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  secretRef: z.strictObject({ name: z.string().min(1) }).optional(),
  region: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  /** Query timeout (fledge addition; default 5s). */
  timeout: DurationSchema.optional(),
})
export type MetricsProviderSpec = z.infer<typeof MetricsProviderSpecSchema>

export const MetricTemplateSchema = z.looseObject({
  apiVersion: z.enum([API_VERSION, FLAGGER_API_VERSION]),
  kind: z.literal('MetricTemplate'),
  metadata: ObjectMetaSchema,
  spec: z.strictObject({
    provider: MetricsProviderSpecSchema,
    query: z.string().min(1),
  }),
})
export type MetricTemplate = z.infer<typeof MetricTemplateSchema>

import { z } from 'zod'
import { ObjectMetaSchema, WeightValueSchema } from './common.js'
import { normalizeWeights, parseQuantityMilli, type Milli } from './weight.js'

export const SMI_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const
export type SmiVersion = (typeof SMI_VERSIONS)[number]

export const TrafficSplitBackendSchema = z.strictObject({
  service: z.string().min(1),
  /** A missing weight is 0, as SMI v1alpha2's omitempty made it (flagger#930). */
  weight: WeightValueSchema.optional(),
})

export const TrafficSplitSchema = z
  .looseObject({
    apiVersion: z.enum(SMI_VERSIONS.map((v) => `split.smi-spec.io/${v}`) as [string, ...string[]]),
    kind: z.literal('TrafficSplit'),
    metadata: ObjectMetaSchema,
    spec: z.strictObject({
      service: z.string().min(1),
      backends: z.array(TrafficSplitBackendSchema).min(1),
      matches: z
        .array(
          z.strictObject({
            kind: z.string(),
            name: z.string(),
            apiGroup: z.string().optional(),
          }),
        )
        .optional(),
    }),
  })
  .superRefine((ts, ctx) => {
    const intOnly = !ts.apiVersion.endsWith('/v1alpha1')
    ts.spec.backends.forEach((b, i) => {
      if (intOnly && b.weight !== undefined && !/^\d+$/.test(String(b.weight))) {
        ctx.addIssue({
          code: 'custom',
          path: ['spec', 'backends', i, 'weight'],
          message: `${ts.apiVersion} weights are whole numbers (quantities such as 900m are v1alpha1); found ${JSON.stringify(b.weight)}`,
        })
      }
    })
    if (ts.spec.matches !== undefined && /v1alpha[12]$/.test(ts.apiVersion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'matches'],
        message: `matches needs split.smi-spec.io/v1alpha3 or later; found ${ts.apiVersion}`,
      })
    }
    const seenAt = new Map<string, number>()
    ts.spec.backends.forEach((b, i) => {
      if (seenAt.has(b.service)) {
        ctx.addIssue({
          code: 'custom',
          path: ['spec', 'backends', i, 'service'],
          message: `backend "${b.service}" is listed twice; found it at backends[${seenAt.get(b.service) ?? 0}] too`,
        })
      }
      if (!seenAt.has(b.service)) seenAt.set(b.service, i)
    })
  })
export type TrafficSplit = z.infer<typeof TrafficSplitSchema>

export interface WeightedBackend {
  readonly service: string
  /** Share of the root service's traffic, in milli-units; all backends add up to 1000. */
  readonly weight: Milli
}

/** A validated split's backends with weights normalised to milli-units of the whole. */
export function splitBackends(ts: TrafficSplit): WeightedBackend[] {
  const raw = ts.spec.backends.map((b) =>
    b.weight === undefined ? 0 : parseQuantityMilli(b.weight),
  )
  const milli = normalizeWeights(raw)
  return ts.spec.backends.map((b, i) => ({ service: b.service, weight: milli[i] ?? 0 }))
}

import { z } from 'zod'
import { isDuration } from '../util/duration.js'
import { parseQuantityMilli } from './weight.js'

/** A Go-style duration string: `30s`, `1m`, `1h30m`. */
export const DurationSchema = z
  .string()
  .refine(isDuration, { message: 'expected a duration such as 30s, 1m or 1h30m' })

/** The subset of Kubernetes ObjectMeta fledge reads; everything else is kept as is. */
export const ObjectMetaSchema = z.looseObject({
  name: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
      message: 'expected a DNS-1123 name: lower-case letters, digits, "-" and "."',
    }),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
})
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>

/** A weight as users write it: an integer, a decimal or a quantity string (`900m`). */
// The refinement alone checks the sign, so a negative weight is one problem, not two.
export const WeightValueSchema = z.union([z.number(), z.string()]).refine(
  (v) => {
    try {
      parseQuantityMilli(v)
      return true
    } catch {
      return false
    }
  },
  { message: 'expected a non-negative number or quantity such as 900m, 1 or 90' },
)

export const LocalObjectReferenceSchema = z.strictObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
})

/** Percent in [0, 100], as Flagger writes weights in a Canary. */
export const PercentSchema = z.number().min(0).max(100)

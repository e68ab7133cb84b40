import { z } from 'zod'
import { ObjectMetaSchema } from './common.js'
import { CanarySpecSchema, type Analysis, type CanarySpec } from './canary-spec.js'
import { CanaryStatusSchema } from './canary-status.js'

export const GROUP = 'fledge.dev'
export const VERSION = 'v1beta1'
export const API_VERSION = `${GROUP}/${VERSION}`
/** Flagger's apiVersion: its Canary manifests validate and run unchanged. */
export const FLAGGER_API_VERSION = 'flagger.app/v1beta1'

export const CanarySchema = z.looseObject({
  apiVersion: z.enum([API_VERSION, FLAGGER_API_VERSION]),
  kind: z.literal('Canary'),
  metadata: ObjectMetaSchema,
  spec: CanarySpecSchema,
  status: CanaryStatusSchema.optional(),
})
export type Canary = z.infer<typeof CanarySchema>

/** `namespace/name`, the key of an object everywhere in fledge. */
export function objectKey(meta: { name: string; namespace?: string | undefined }): string {
  return `${meta.namespace ?? 'default'}/${meta.name}`
}

/** The analysis in force: `analysis`, or Flagger's deprecated `canaryAnalysis`. */
export function analysisOf(spec: CanarySpec): Analysis | undefined {
  return spec.analysis ?? spec.canaryAnalysis
}

/** The apex service name: `service.name`, defaulting to the target's name. */
export function serviceName(spec: CanarySpec): string {
  return spec.service.name ?? spec.targetRef.name
}

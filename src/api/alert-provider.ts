import { z } from 'zod'
import { ObjectMetaSchema } from './common.js'
import { API_VERSION, FLAGGER_API_VERSION } from './canary.js'

export const ALERT_PROVIDER_TYPES = [
  'slack',
  'msteams',
  'discord',
  'rocket',
  'gchat',
  'googlechat',
  'webhook',
  'log',
] as const

export const AlertProviderSchema = z
  .looseObject({
    apiVersion: z.enum([API_VERSION, FLAGGER_API_VERSION]),
    kind: z.literal('AlertProvider'),
    metadata: ObjectMetaSchema,
    spec: z.strictObject({
      type: z.enum(ALERT_PROVIDER_TYPES),
      channel: z.string().optional(),
      username: z.string().optional(),
      address: z.string().optional(),
      proxy: z.string().optional(),
      secretRef: z.strictObject({ name: z.string().min(1) }).optional(),
    }),
  })
  .superRefine((ap, ctx) => {
    // Flagger's CRD requires type+address or type+secretRef; only fledge's `log` needs neither.
    const { type, address, secretRef } = ap.spec
    if (type !== 'log' && address === undefined && secretRef === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec', 'address'],
        message: `${type} alerts need an address, or a secretRef to a Secret holding one`,
      })
    }
  })
export type AlertProvider = z.infer<typeof AlertProviderSchema>

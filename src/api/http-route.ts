import { z } from 'zod'
import { ObjectMetaSchema } from './common.js'

const ParentRefSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  sectionName: z.string().optional(),
})

const BackendRefSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** Relative weight, 0 to 1,000,000; Gateway API defaults it to 1. */
  weight: z.number().int().min(0).max(1_000_000).optional(),
})

const HeaderMatchSchema = z.looseObject({
  type: z.enum(['Exact', 'RegularExpression']).optional(),
  name: z.string().min(1),
  value: z.string(),
})

const RouteMatchSchema = z.looseObject({
  path: z
    .looseObject({
      type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).optional(),
      value: z.string().optional(),
    })
    .optional(),
  headers: z.array(HeaderMatchSchema).optional(),
  queryParams: z.array(HeaderMatchSchema).optional(),
  method: z.string().optional(),
})

/** The part of Gateway API HTTPRoute that fledge writes and reads back. */
export const HTTPRouteSchema = z.looseObject({
  apiVersion: z.enum(['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1']),
  kind: z.literal('HTTPRoute'),
  metadata: ObjectMetaSchema,
  spec: z.looseObject({
    parentRefs: z.array(ParentRefSchema).optional(),
    hostnames: z.array(z.string()).optional(),
    rules: z
      .array(
        z.looseObject({
          matches: z.array(RouteMatchSchema).optional(),
          backendRefs: z.array(BackendRefSchema).optional(),
          filters: z.array(z.record(z.string(), z.unknown())).optional(),
          timeouts: z
            .looseObject({ request: z.string().optional(), backendRequest: z.string().optional() })
            .optional(),
        }),
      )
      .optional(),
  }),
})
export type HTTPRoute = z.infer<typeof HTTPRouteSchema>

import { z } from 'zod'
import { ObjectMetaSchema } from '../../api/common.js'

/** The parts of Kubernetes workload kinds that local mode runs. Unknown fields are kept, unused. */
const EnvVarSchema = z.looseObject({ name: z.string().min(1), value: z.string().optional() })

const HttpGetSchema = z.looseObject({
  path: z.string().default('/'),
  port: z.union([z.number().int(), z.string()]).optional(),
})

const ProbeSchema = z.looseObject({
  httpGet: HttpGetSchema.optional(),
  initialDelaySeconds: z.number().min(0).optional(),
  periodSeconds: z.number().gt(0).optional(),
  timeoutSeconds: z.number().gt(0).optional(),
  failureThreshold: z.number().int().min(1).optional(),
})
export type Probe = z.infer<typeof ProbeSchema>

export const ContainerSchema = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVarSchema).optional(),
  ports: z
    .array(z.looseObject({ containerPort: z.number().int(), name: z.string().optional() }))
    .optional(),
  readinessProbe: ProbeSchema.optional(),
  livenessProbe: ProbeSchema.optional(),
})
export type Container = z.infer<typeof ContainerSchema>

export const PodTemplateSchema = z.looseObject({
  metadata: z
    .looseObject({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  spec: z.looseObject({
    containers: z.array(ContainerSchema).min(1),
  }),
})
export type PodTemplate = z.infer<typeof PodTemplateSchema>

export const DeploymentSchema = z.looseObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: ObjectMetaSchema,
  spec: z.looseObject({
    replicas: z.number().int().min(0).default(1),
    selector: z
      .looseObject({ matchLabels: z.record(z.string(), z.string()).optional() })
      .optional(),
    template: PodTemplateSchema,
  }),
})
export type Deployment = z.infer<typeof DeploymentSchema>

export const ServiceSchema = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: ObjectMetaSchema,
  spec: z.looseObject({
    selector: z.record(z.string(), z.string()).optional(),
    ports: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          port: z.number().int().min(1).max(65535),
          targetPort: z.union([z.number().int(), z.string()]).optional(),
        }),
      )
      .min(1),
  }),
})
export type Service = z.infer<typeof ServiceSchema>

/** How an image reference runs on this machine: a Node file, fledge's own CLI, or any program. */
export const CatalogEntrySchema = z
  .strictObject({
    image: z.string().min(1),
    node: z.string().min(1).optional(),
    fledge: z.array(z.string()).optional(),
    command: z.array(z.string()).min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
  })
  .refine((e) => [e.node, e.fledge, e.command].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of node, fledge or command is required',
  })
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>

export const ImageCatalogSchema = z.looseObject({
  apiVersion: z.literal('fledge.dev/v1beta1'),
  kind: z.literal('ImageCatalog'),
  metadata: ObjectMetaSchema,
  spec: z.strictObject({ images: z.array(CatalogEntrySchema) }),
})
export type ImageCatalog = z.infer<typeof ImageCatalogSchema>

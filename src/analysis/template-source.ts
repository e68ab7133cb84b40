import type { MetricTemplate } from '../api/metric-template.js'

/** Where MetricTemplates come from (the API server's cache, or local manifests). */
export interface TemplateSource {
  get(namespace: string, name: string, signal: AbortSignal): Promise<MetricTemplate | undefined>
}

/**
 * Templates held in memory: a map keyed `namespace/name` (local mode's manifest set), or a list
 * (`fledge analyze -f`). A template written without a namespace serves every namespace, as a
 * manifest applied without `-n` would land in the namespace of whoever uses it.
 */
export function staticTemplateSource(
  templates: ReadonlyMap<string, MetricTemplate> | readonly MetricTemplate[],
): TemplateSource {
  const list = Array.isArray(templates)
    ? (templates as readonly MetricTemplate[])
    : [...(templates as ReadonlyMap<string, MetricTemplate>).values()]
  return {
    get(namespace, name) {
      const t =
        list.find((x) => x.metadata.name === name && x.metadata.namespace === namespace) ??
        list.find((x) => x.metadata.name === name && x.metadata.namespace === undefined)
      return Promise.resolve(t)
    },
  }
}

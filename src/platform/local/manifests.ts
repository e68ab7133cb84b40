import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { z } from 'zod'
import {
  describeDocument,
  isRecord,
  parseYamlDocuments,
  validateDocument,
  zodIssues,
} from '../../api/documents.js'
import { objectKey } from '../../api/canary.js'
import type { MetricTemplate } from '../../api/metric-template.js'
import type { AlertProvider } from '../../api/alert-provider.js'
import type { TrafficSplit } from '../../api/traffic-split.js'
import { errorMessage } from '../../util/errors.js'
import {
  DeploymentSchema,
  ImageCatalogSchema,
  ServiceSchema,
  type CatalogEntry,
  type Deployment,
  type ImageCatalog,
  type Service,
} from './manifest-schemas.js'

/** A catalog entry with the directory its relative paths are resolved against. */
export interface ResolvedCatalogEntry extends CatalogEntry {
  readonly baseDir: string
}

/** One problem in the manifests directory, pinned to file, document and field. */
export interface ManifestProblem {
  readonly file: string
  readonly document?: number
  readonly line?: number
  readonly object?: string
  readonly message: string
}

/** Everything the directory declares, by `namespace/name` key. */
export interface ManifestSet {
  readonly deployments: ReadonlyMap<string, Deployment>
  readonly services: ReadonlyMap<string, Service>
  /** Canaries as written, not validated: the engine reports invalid ones on their status. */
  readonly canaries: ReadonlyMap<string, Record<string, unknown>>
  readonly metricTemplates: ReadonlyMap<string, MetricTemplate>
  readonly alertProviders: ReadonlyMap<string, AlertProvider>
  readonly trafficSplits: ReadonlyMap<string, TrafficSplit>
  readonly images: ReadonlyMap<string, ResolvedCatalogEntry>
  readonly problems: readonly ManifestProblem[]
  /** The file each object came from, for `fledge set image` and messages. */
  readonly sources: ReadonlyMap<string, string>
}

interface FileDocs {
  readonly text: string
  readonly docs: readonly {
    readonly index: number
    readonly line: number
    readonly value: unknown
  }[]
}

/**
 * Reads the top-level `*.yaml`/`*.yml` files of a manifests directory. A file that does not parse
 * keeps its last good version (from `previous`), so a typo never stops what already runs; every
 * problem is reported with file, document and field.
 */
export class ManifestLoader {
  readonly dir: string
  readonly #lastGood = new Map<string, FileDocs>()

  constructor(dir: string) {
    this.dir = resolve(dir)
  }

  async load(): Promise<ManifestSet> {
    const problems: ManifestProblem[] = []
    const names = (await readdir(this.dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort()
    const set = emptySet()
    for (const name of names) {
      const file = join(this.dir, name)
      const docs = await this.#readFile(file, name, problems)
      if (docs === undefined) continue
      for (const doc of docs.docs) addDocument(set, name, file, doc, problems)
    }
    for (const gone of [...this.#lastGood.keys()].filter((f) => !names.includes(f)))
      this.#lastGood.delete(gone)
    return { ...set, problems }
  }

  async #readFile(
    file: string,
    name: string,
    problems: ManifestProblem[],
  ): Promise<FileDocs | undefined> {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      problems.push({ file: name, message: `cannot read: ${errorMessage(err)}` })
      return this.#lastGood.get(name)
    }
    const previous = this.#lastGood.get(name)
    if (previous?.text === text) return previous
    const parsed = parseYamlDocuments(text)
    const broken = parsed.filter((d) => d.errors.length > 0)
    if (broken.length > 0) {
      for (const d of broken) {
        for (const e of d.errors)
          problems.push({
            file: name,
            document: d.index,
            line: d.line,
            message: `invalid YAML: ${e}`,
          })
      }
      if (previous !== undefined)
        problems.push({ file: name, message: 'keeping the last good version of this file' })
      return previous
    }
    const docs: FileDocs = { text, docs: parsed }
    this.#lastGood.set(name, docs)
    return docs
  }
}

/** The maps being filled while a directory is read. */
interface Collecting {
  readonly deployments: Map<string, Deployment>
  readonly services: Map<string, Service>
  readonly canaries: Map<string, Record<string, unknown>>
  readonly metricTemplates: Map<string, MetricTemplate>
  readonly alertProviders: Map<string, AlertProvider>
  readonly trafficSplits: Map<string, TrafficSplit>
  readonly images: Map<string, ResolvedCatalogEntry>
  readonly sources: Map<string, string>
}

function emptySet(): Collecting {
  return {
    deployments: new Map(),
    services: new Map(),
    canaries: new Map(),
    metricTemplates: new Map(),
    alertProviders: new Map(),
    trafficSplits: new Map(),
    images: new Map(),
    sources: new Map(),
  }
}

function addDocument(
  set: Collecting,
  name: string,
  file: string,
  doc: { index: number; line: number; value: unknown },
  problems: ManifestProblem[],
): void {
  const where = {
    file: name,
    document: doc.index,
    line: doc.line,
    object: describeDocument(doc.value),
  }
  const report = (issues: readonly { path: string; message: string }[]): void => {
    for (const i of issues)
      problems.push({ ...where, message: i.path === '' ? i.message : `${i.path}: ${i.message}` })
  }
  const kind = isRecord(doc.value) ? doc.value['kind'] : undefined
  if (kind === 'Deployment' || kind === 'Service' || kind === 'ImageCatalog') {
    addLocalKind(set, kind, file, doc.value, report)
    return
  }
  if (kind === 'Canary') {
    // Kept even when invalid: the engine reports the problem on the Canary's status.
    const key = objectKey(metaOf(doc.value))
    set.canaries.set(key, doc.value as Record<string, unknown>)
    set.sources.set(`Canary/${key}`, file)
  }
  const result = validateDocument(doc.value)
  if (result.ok === 'skipped') return
  if (!result.ok) {
    report(result.issues)
    return
  }
  const key = objectKey(result.value.metadata)
  if (result.kind === 'MetricTemplate') set.metricTemplates.set(key, result.value as MetricTemplate)
  else if (result.kind === 'AlertProvider')
    set.alertProviders.set(key, result.value as AlertProvider)
  else if (result.kind === 'TrafficSplit') set.trafficSplits.set(key, result.value as TrafficSplit)
  else return
  set.sources.set(`${result.kind}/${key}`, file)
}

function addLocalKind(
  set: Collecting,
  kind: 'Deployment' | 'Service' | 'ImageCatalog',
  file: string,
  value: unknown,
  report: (issues: readonly { path: string; message: string }[]) => void,
): void {
  const schema: z.ZodType =
    kind === 'Deployment'
      ? DeploymentSchema
      : kind === 'Service'
        ? ServiceSchema
        : ImageCatalogSchema
  const r = schema.safeParse(value)
  if (!r.success) {
    report(zodIssues(r.error, value))
    return
  }
  if (kind === 'ImageCatalog') {
    for (const entry of (r.data as ImageCatalog).spec.images)
      set.images.set(entry.image, { ...entry, baseDir: dirname(file) })
    return
  }
  const obj = r.data as Deployment | Service
  const key = objectKey(obj.metadata)
  const twice = kind === 'Deployment' ? set.deployments.has(key) : set.services.has(key)
  if (twice) report([{ path: '', message: `${kind} ${key} is declared twice; the later one wins` }])
  if (kind === 'Deployment') set.deployments.set(key, obj as Deployment)
  else set.services.set(key, obj as Service)
  set.sources.set(`${kind}/${key}`, file)
}

function metaOf(value: unknown): { name: string; namespace?: string } {
  const meta = isRecord(value) && isRecord(value['metadata']) ? value['metadata'] : {}
  const name = typeof meta['name'] === 'string' ? meta['name'] : '(no name)'
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined
  return namespace === undefined ? { name } : { name, namespace }
}

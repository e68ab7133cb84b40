/**
 * Reads the proxy's file sources (discovery directory, TrafficSplit files, config file) into a
 * table input. Every problem is reported with its file and field; the caller decides to keep the
 * table in force when there is any.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseYamlDocuments, validateDocument, zodIssues } from '../api/documents.js'
import { TrafficSplitSchema, splitBackends, type TrafficSplit } from '../api/traffic-split.js'
import { parseDuration } from '../util/duration.js'
import { ProxyConfigSchema, type ProxyConfig } from './config-schema.js'
import { SERVICE_NAME, parseDiscoFile } from './disco.js'
import type { ServiceEntry, SplitInput, TableInput } from './route-table.js'

export interface SourceIssue {
  readonly file: string
  /** Line number (`line 3`) or field path (`spec.backends[1].weight`); empty for the file. */
  readonly field: string
  readonly message: string
}

export interface SourcePaths {
  readonly disco?: string | undefined
  readonly splits?: string | undefined
  readonly config?: string | undefined
}

export interface Loaded {
  readonly input: TableInput
  readonly config: ProxyConfig | undefined
  readonly issues: readonly SourceIssue[]
}

export async function loadSources(paths: SourcePaths): Promise<Loaded> {
  const issues: SourceIssue[] = []
  const services = new Map<string, ServiceEntry>()
  const splits: SplitInput[] = []
  if (paths.disco !== undefined) {
    for (const s of await loadDisco(paths.disco, issues)) services.set(s.name, s)
  }
  if (paths.splits !== undefined) {
    for (const file of await yamlFiles(paths.splits, issues))
      splits.push(...(await loadSplitFile(file, issues)))
  }
  let config: ProxyConfig | undefined
  if (paths.config !== undefined) {
    config = await loadConfigFile(paths.config, issues)
    if (config !== undefined) {
      for (const [name, svc] of Object.entries(config.services ?? {})) {
        const fromDisco = services.get(name)
        services.set(name, {
          name,
          endpoints:
            svc.endpoints?.map((e) => ({ ip: e.ip, port: e.port, weight: e.weight ?? 1 })) ??
            fromDisco?.endpoints ??
            [],
          deployment: svc.deployment,
          namespace: svc.namespace,
          timeoutMs: svc.timeout === undefined ? undefined : parseDuration(svc.timeout),
          retryOn: svc.retryOn,
        })
      }
      ;(config.splits ?? []).forEach((raw, i) => {
        const parsed = TrafficSplitSchema.safeParse(raw)
        if (!parsed.success) {
          for (const issue of zodIssues(parsed.error, raw)) {
            issues.push({
              file: paths.config ?? '',
              field: join2(`splits[${i}]`, issue.path),
              message: issue.message,
            })
          }
          return
        }
        splits.push(toSplitInput(parsed.data))
      })
    }
  }
  return { input: { services: [...services.values()], splits }, config, issues }
}

function join2(a: string, b: string): string {
  return b === '' ? a : b.startsWith('[') ? `${a}${b}` : `${a}.${b}`
}

export function toSplitInput(ts: TrafficSplit): SplitInput {
  return {
    name: ts.metadata.name,
    namespace: ts.metadata.namespace,
    service: ts.spec.service,
    backends: splitBackends(ts).map((b) => ({ service: b.service, weight: b.weight })),
  }
}

async function loadDisco(dir: string, issues: SourceIssue[]): Promise<ServiceEntry[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch (err) {
    issues.push({ file: dir, field: '', message: `cannot read discovery directory (${code(err)})` })
    return []
  }
  const out: ServiceEntry[] = []
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~') || name.endsWith('.swp')) continue
    const file = join(dir, name)
    let text: string
    try {
      if (!(await stat(file)).isFile()) continue
      text = await readFile(file, 'utf8')
    } catch (err) {
      issues.push({ file, field: '', message: `cannot read (${code(err)})` })
      continue
    }
    if (!SERVICE_NAME.test(name)) {
      issues.push({
        file,
        field: '',
        message: `file name ${JSON.stringify(name)} is not a valid service name (lower-case letters, digits, "-", ".")`,
      })
      continue
    }
    const parsed = parseDiscoFile(text)
    for (const i of parsed.issues)
      issues.push({ file, field: `line ${i.line}`, message: i.message })
    out.push({ name, endpoints: parsed.endpoints })
  }
  return out
}

async function yamlFiles(path: string, issues: SourceIssue[]): Promise<string[]> {
  try {
    const st = await stat(path)
    if (st.isFile()) return [path]
    const names = (await readdir(path)).filter(
      (n) => /\.(ya?ml|json)$/.test(n) && !n.startsWith('.'),
    )
    return names.sort().map((n) => join(path, n))
  } catch (err) {
    issues.push({ file: path, field: '', message: `cannot read (${code(err)})` })
    return []
  }
}

async function loadSplitFile(file: string, issues: SourceIssue[]): Promise<SplitInput[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    issues.push({ file, field: '', message: `cannot read (${code(err)})` })
    return []
  }
  const out: SplitInput[] = []
  for (const doc of parseYamlDocuments(text)) {
    const where = `document ${doc.index} (line ${doc.line})`
    if (doc.errors.length > 0) {
      for (const e of doc.errors) issues.push({ file, field: where, message: `invalid YAML: ${e}` })
      continue
    }
    const result = validateDocument(doc.value)
    // Other kinds may share the directory (Deployments, Canaries): not the proxy's business.
    if (result.ok === 'skipped') continue
    if (!result.ok) {
      for (const i of result.issues)
        issues.push({ file, field: i.path === '' ? where : i.path, message: i.message })
      continue
    }
    if (result.kind !== 'TrafficSplit') continue
    out.push(toSplitInput(result.value as TrafficSplit))
  }
  return out
}

async function loadConfigFile(
  file: string,
  issues: SourceIssue[],
): Promise<ProxyConfig | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    issues.push({ file, field: '', message: `cannot read (${code(err)})` })
    return undefined
  }
  const docs = parseYamlDocuments(text)
  const doc = docs[0]
  if (docs.length > 1) issues.push({ file, field: '', message: 'expected one YAML document' })
  if (doc === undefined) return {}
  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.push({ file, field: '', message: `invalid YAML: ${e}` })
    return undefined
  }
  const parsed = ProxyConfigSchema.safeParse(doc.value)
  if (!parsed.success) {
    for (const i of zodIssues(parsed.error, doc.value))
      issues.push({ file, field: i.path, message: i.message })
    return undefined
  }
  return parsed.data
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error'
}

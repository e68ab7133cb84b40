import { readFile } from 'node:fs/promises'
import { Agent, type Dispatcher } from 'undici'
import type { Canary } from '../api/canary.js'
import { objectKey } from '../api/canary.js'
import { parseYamlDocuments, validateDocument } from '../api/documents.js'
import type { MetricTemplate } from '../api/metric-template.js'
import { formatValue } from '../analysis/evaluate.js'
import { MESHES, type Mesh } from '../analysis/observers/observer.js'
import { PrometheusMetricsProvider } from '../analysis/providers/prometheus.js'
import { createFileSecretReader } from '../analysis/providers/secrets.js'
import { CheckRunner, type CheckResult } from '../analysis/run-checks.js'
import { staticTemplateSource } from '../analysis/template-source.js'
import { errorMessage } from '../util/errors.js'
import { parseFlags, usageError } from './args.js'
import type { Command, Console } from './io.js'

/**
 * `fledge analyze -f canary.yaml [--prometheus URL] [-f metrictemplates.yaml]`: runs a Canary's
 * checks once, now, and prints what each query returned and why it passes or not.
 * Exit 0: every check passed; 1: one failed; 2: one could not be evaluated (and none failed).
 */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: "run a Canary's metric checks once, now, and show each query, value and outcome",
  usage:
    'fledge analyze -f CANARY.yaml [-f METRICTEMPLATES.yaml...] [--prometheus URL] [--secrets DIR] [--mesh fledge|linkerd]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      file: { type: 'string', short: 'f', multiple: true },
      prometheus: { type: 'string' },
      secrets: { type: 'string' },
      mesh: { type: 'string' },
    })
    const files = values.file ?? []
    if (files.length === 0) throw usageError('at least one -f FILE (the Canary) is required')
    const mesh = values.mesh
    if (mesh !== undefined && !(MESHES as readonly string[]).includes(mesh)) {
      throw usageError(`--mesh must be one of ${MESHES.join(', ')}`)
    }
    const loaded = await load(files, io)
    if (loaded === undefined) return 2
    const { canaries, templates } = loaded
    if (canaries.length === 0) {
      io.err('fledge analyze: no Canary in the given files')
      return 2
    }
    const agents = new Map<boolean, Agent>()
    const dispatcher = (insecure: boolean): Dispatcher => {
      let a = agents.get(insecure)
      if (a === undefined) {
        a = new Agent({
          keepAliveTimeout: 1000,
          ...(insecure ? { connect: { rejectUnauthorized: false } } : {}),
        })
        agents.set(insecure, a)
      }
      return a
    }
    try {
      const runner = new CheckRunner({
        ...(values.prometheus !== undefined
          ? {
              defaultProvider: new PrometheusMetricsProvider({
                address: values.prometheus,
                dispatcher: dispatcher(false),
              }),
            }
          : {}),
        providers: {
          dispatcher,
          ...(values.secrets !== undefined
            ? { secrets: createFileSecretReader(values.secrets) }
            : {}),
        },
        templates: staticTemplateSource(templates),
        ...(mesh !== undefined ? { mesh: mesh as Mesh } : {}),
      })
      let code = 0
      for (const canary of canaries) {
        const results = await runner.runDetailed(
          canary,
          { now: Date.now() },
          AbortSignal.timeout(60_000),
        )
        code = worse(code, report(canary, results, io))
      }
      return code
    } finally {
      await Promise.all([...agents.values()].map((a) => a.close()))
    }
  },
}

async function load(
  files: readonly string[],
  io: Console,
): Promise<{ canaries: Canary[]; templates: MetricTemplate[] } | undefined> {
  const canaries: Canary[] = []
  const templates: MetricTemplate[] = []
  let bad = false
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      io.err(`fledge analyze: ${file}: cannot read: ${errorMessage(err)}`)
      bad = true
      continue
    }
    for (const doc of parseYamlDocuments(text)) {
      if (doc.errors.length > 0) {
        io.err(
          `fledge analyze: ${file}: document ${doc.index}: invalid YAML: ${doc.errors.join('; ')}`,
        )
        bad = true
        continue
      }
      const r = validateDocument(doc.value)
      if (r.ok === 'skipped') continue
      if (!r.ok) {
        for (const i of r.issues)
          io.err(`fledge analyze: ${file}: document ${doc.index}: ${i.path}: ${i.message}`)
        bad = true
        continue
      }
      if (r.kind === 'Canary') canaries.push(r.value as Canary)
      if (r.kind === 'MetricTemplate') templates.push(r.value as MetricTemplate)
    }
  }
  return bad ? undefined : { canaries, templates }
}

const RANK = { Successful: 0, Inconclusive: 2, Error: 2, Failed: 1 } as const
function worse(a: number, b: number): number {
  if (a === 1 || b === 1) return 1
  return Math.max(a, b)
}

/** Prints one Canary's table and verdict; returns its exit code. */
function report(canary: Canary, results: readonly CheckResult[], io: Console): number {
  io.out(`Canary ${objectKey(canary.metadata)}`)
  if (results.length === 0) {
    io.out('no metrics in spec.analysis.metrics: nothing to check')
    return 0
  }
  const rows = results.map((r) => [
    r.measurement.metric,
    r.measurement.value === undefined ? '-' : formatValue(r.measurement.value),
    r.threshold,
    r.measurement.outcome,
    r.measurement.query ?? '-',
  ])
  const header = ['METRIC', 'VALUE', 'THRESHOLD', 'OUTCOME', 'QUERY']
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  io.out(line(header))
  for (const row of rows) io.out(line(row))
  let code = 0
  for (const r of results) {
    const m = r.measurement
    code = worse(code, RANK[m.outcome])
    io.out(`${m.metric}: ${m.outcome}: ${m.message ?? ''}`)
  }
  const failed = results.filter((r) => r.measurement.outcome === 'Failed')
  const unknown = results.filter(
    (r) => r.measurement.outcome === 'Error' || r.measurement.outcome === 'Inconclusive',
  )
  const names = (rs: readonly CheckResult[]): string =>
    rs.map((r) => r.measurement.metric).join(', ')
  if (code === 0) io.out(`all ${results.length} checks passed`)
  else if (code === 1) io.out(`FAILED: ${names(failed)}`)
  else io.out(`CANNOT EVALUATE: ${names(unknown)} (no data or metrics backend unavailable)`)
  return code
}

import { readFile } from 'node:fs/promises'
import { describeDocument, parseYamlDocuments, validateDocument } from '../api/documents.js'
import { parseFlags, usageError } from './args.js'
import type { Command } from './io.js'

/** `fledge validate -f FILE...`: checks every fledge, Flagger and SMI resource in the files. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check Canary, MetricTemplate, AlertProvider, TrafficSplit and HTTPRoute manifests',
  usage: 'fledge validate -f FILE [-f FILE...]',
  async run(args, io) {
    const { values } = parseFlags(args, { file: { type: 'string', short: 'f', multiple: true } })
    const files = values.file ?? []
    if (files.length === 0) throw usageError('at least one -f FILE is required')
    let problems = 0
    let checked = 0
    for (const file of files) {
      const report = (where: string, what: string): void => {
        problems++
        io.out(`${file}: ${where}: ${what}`)
      }
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        report(
          'file',
          code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'is a directory'
              : `cannot read (${code ?? 'error'})`,
        )
        continue
      }
      const docs = parseYamlDocuments(text)
      if (docs.length === 0) {
        report('file', 'empty: no YAML documents')
        continue
      }
      for (const doc of docs) {
        const where = `document ${doc.index} (line ${doc.line})`
        if (doc.errors.length > 0) {
          for (const e of doc.errors) report(where, `invalid YAML: ${e}`)
          continue
        }
        const result = validateDocument(doc.value)
        if (result.ok === 'skipped') continue
        checked++
        if (result.ok) continue
        for (const issue of result.issues) {
          report(
            `${where} ${describeDocument(doc.value)}`,
            issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
          )
        }
      }
    }
    if (problems === 0) {
      io.out(
        `${checked} resource${checked === 1 ? '' : 's'} valid in ${files.length} file${files.length === 1 ? '' : 's'}`,
      )
      return 0
    }
    io.out(`${problems} problem${problems === 1 ? '' : 's'} found`)
    return 1
  },
}

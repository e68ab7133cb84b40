import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { errorMessage } from '../util/errors.js'
import { parseFlags, usageError } from './args.js'
import { ApiError, clientFlags, withClient } from './client.js'
import type { Command } from './io.js'

/** `fledge apply -f FILE...`: writes each file into the controller's manifests directory. */
export const applyCommand: Command = {
  name: 'apply',
  summary: "write manifests into the controller's manifests directory (validated first)",
  usage: 'fledge apply -f FILE [-f FILE...] [--api URL] [--token TOKEN]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      ...clientFlags,
      file: { type: 'string', short: 'f', multiple: true },
    })
    const files = values.file ?? []
    if (files.length === 0) throw usageError('at least one -f FILE is required')
    const texts: [string, string][] = []
    for (const file of files) {
      try {
        texts.push([file, await readFile(file, 'utf8')])
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        io.err(`${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`)
        return 1
      }
    }
    return withClient(values, async (client) => {
      let failed = 0
      for (const [file, text] of texts) {
        try {
          await client.postText(
            `/api/v1/manifests/${encodeURIComponent(basename(file))}`,
            text,
            'application/yaml',
          )
          io.out(`${file} applied`)
        } catch (err) {
          // The controller's own verdict on the manifest (422, 400) is shown as it said it.
          if (!(err instanceof ApiError) || err.status === 401) throw err
          io.err(err.message)
          failed++
        }
      }
      return failed === 0 ? 0 : 1
    })
  },
}

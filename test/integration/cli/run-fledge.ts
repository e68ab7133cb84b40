import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The repository root, where bin/fledge.js lives. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ProcessResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `node bin/fledge.js ARGS` as a user would, from the repository root. Bounded: the process
 * is killed after `timeoutMs` (generous, since the tsx loader starts slowly on a busy machine).
 */
export function runFledge(args: readonly string[], timeoutMs = 60_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/fledge.js', ...args],
      {
        cwd: ROOT,
        timeout: timeoutMs,
        maxBuffer: 4 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (err, stdout, stderr) => {
        if (err === null) resolve({ code: 0, stdout, stderr })
        else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr })
        // Killed by the timeout or not started at all: no exit code to report.
        else reject(new Error(`fledge ${args.join(' ')}: ${err.message}`, { cause: err }))
      },
    )
  })
}

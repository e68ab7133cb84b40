/**
 * booksapp in TypeScript, one entry point for every role, as booksapp's image runs
 * `rake prod:<role>`: `booksapp.ts webapp|authors|books|traffic [args...]`.
 * Run it with `node --import tsx services/booksapp.ts authors` (fledge runs it for you).
 */
import { isRole, ROLES, startRole } from './roles.js'

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`)
}

const [role, ...args] = process.argv.slice(2)
if (!isRole(role)) {
  process.stderr.write(`usage: booksapp.ts ${ROLES.join('|')} [args...]\n`)
  process.exit(2)
}

// No top-level await: the file must also load where a loader compiles it as CommonJS.
startRole(role, args, process.env, log).then(
  (started) => {
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) return
      stopping = true
      log(`${signal}: stopping`)
      started.close().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    }
    process.once('SIGTERM', () => {
      stop('SIGTERM')
    })
    process.once('SIGINT', () => {
      stop('SIGINT')
    })
  },
  (err: unknown) => {
    process.stderr.write(`booksapp ${role}: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)

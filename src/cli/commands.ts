import type { Command } from './io.js'
import { validateCommand } from './validate.js'
import { analyzeCommand } from './analyze.js'
import { proxyCommand } from './proxy.js'
import { errorInjectorCommand } from './error-injector.js'
import { statCommand } from './stat.js'
import { tapCommand } from './tap.js'
import { runCommand } from './run.js'
import { demoCommand } from './demo.js'

/** Every verb of the CLI, in the order `fledge --help` lists them. One file per verb. */
export const commands: readonly Command[] = [
  runCommand,
  demoCommand,
  validateCommand,
  analyzeCommand,
  proxyCommand,
  errorInjectorCommand,
  statCommand,
  tapCommand,
]

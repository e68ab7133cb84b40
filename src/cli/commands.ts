import { applyCommand } from './apply.js'
import {
  abortCommand,
  pauseCommand,
  promoteCommand,
  resumeCommand,
  retryCommand,
} from './command-verbs.js'
import { getCommand } from './get.js'
import type { Command } from './io.js'
import { setCommand } from './set-image.js'
import { statusCommand } from './status.js'
import { topCommand } from './top.js'
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
  statusCommand,
  getCommand,
  promoteCommand,
  abortCommand,
  pauseCommand,
  resumeCommand,
  retryCommand,
  applyCommand,
  setCommand,
  proxyCommand,
  errorInjectorCommand,
  statCommand,
  topCommand,
  tapCommand,
]

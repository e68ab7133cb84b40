import type { Command } from './io.js'
import { validateCommand } from './validate.js'
import { analyzeCommand } from './analyze.js'

/** Every verb of the CLI, in the order `fledge --help` lists them. One file per verb. */
export const commands: readonly Command[] = [validateCommand, analyzeCommand]

/** Where a command writes; injected so tests read what a user would see. */
export interface Console {
  out(text: string): void
  err(text: string): void
}

export const realConsole: Console = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}

/** One verb of the CLI. */
export interface Command {
  readonly name: string
  readonly summary: string
  readonly usage: string
  run(args: readonly string[], io: Console): Promise<number>
}

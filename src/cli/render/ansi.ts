import { realConsole, type Console } from '../io.js'

/** Clears the screen and moves the cursor home, for redraws on a terminal. */
export const CLEAR_HOME = '\u001b[H\u001b[2J'

/**
 * True when output goes to a terminal: only the real console can be one; a test's console never
 * is, so tests see plain appended output.
 */
export function isTerminal(io: Console): boolean {
  return io === realConsole && process.stdout.isTTY
}

/** Colours on a terminal unless NO_COLOR is set (https://no-color.org). */
export function useColor(io: Console): boolean {
  return isTerminal(io) && (process.env['NO_COLOR'] ?? '') === ''
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const
export type Colour = keyof typeof CODES

/** Wraps text in an ANSI colour when `on`. */
export function paint(text: string, colour: Colour, on: boolean): string {
  return on ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text
}

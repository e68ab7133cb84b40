import { paint, type Colour } from './ansi.js'

const ICONS: Readonly<Record<string, readonly [string, Colour]>> = {
  Succeeded: ['✔', 'green'],
  Initialized: ['✔', 'green'],
  Failed: ['✖', 'red'],
  Progressing: ['◌', 'blue'],
  Promoting: ['◌', 'blue'],
  Finalising: ['◌', 'blue'],
  WaitingPromotion: ['◷', 'yellow'],
  Waiting: ['◷', 'yellow'],
  Initializing: ['◷', 'yellow'],
  Terminating: ['•', 'gray'],
  Terminated: ['•', 'gray'],
}

/** `✔ Succeeded`, `◌ Progressing`, `॥ Progressing (paused)`, `⚠ Invalid`, with colour when `on`. */
export function phaseLabel(
  view: { readonly phase: string; readonly paused: boolean; readonly invalid?: string | undefined },
  on = false,
): string {
  if (view.invalid !== undefined) return paint(`⚠ ${view.phase} (invalid)`, 'red', on)
  if (view.paused) return paint(`॥ ${view.phase} (paused)`, 'yellow', on)
  const [icon, colour] = ICONS[view.phase] ?? ['?', 'gray']
  return paint(`${icon} ${view.phase}`, colour, on)
}

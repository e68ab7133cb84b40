import type { Analysis } from '../api/canary-spec.js'
import { FULL, percentToMilli, type Milli } from '../api/weight.js'

/**
 * The weight at which a canary is promoted. `maxWeight` caps `stepWeights` too (Flagger ignores
 * maxWeight when stepWeights is set, so a list ending at 80 with maxWeight 50 went to 80).
 */
export function maxWeight(analysis: Analysis): Milli {
  const cap = percentToMilli(analysis.maxWeight ?? 100)
  const steps = analysis.stepWeights
  if (steps !== undefined && steps.length > 0) {
    return Math.min(cap, percentToMilli(steps[steps.length - 1] ?? 100))
  }
  return cap
}

/**
 * The weight after `current`: the next listed step above it, or `current + stepWeight`, never above
 * maxWeight (Flagger lets stepWeight overshoot maxWeight; fledge does not).
 */
export function nextStepWeight(analysis: Analysis, current: Milli): Milli {
  const max = maxWeight(analysis)
  const steps = analysis.stepWeights
  if (steps !== undefined && steps.length > 0) {
    const next = steps.map(percentToMilli).find((w) => w > current)
    return Math.min(next ?? max, max)
  }
  const step = percentToMilli(analysis.stepWeight ?? 100)
  return Math.min(current + step, max)
}

/**
 * During Promoting with stepWeightPromotion, the canary weight after `current`: traffic moves back
 * to the primary by that step per interval. Without it, all at once.
 */
export function nextPromotionWeight(analysis: Analysis, current: Milli): Milli {
  const step = percentToMilli(analysis.stepWeightPromotion ?? 0)
  if (step <= 0) return 0
  return Math.max(0, current - step)
}

/** The ordered weights a canary walks through, for docs, the CLI and tests. */
export function plannedWeights(analysis: Analysis): Milli[] {
  const out: Milli[] = []
  for (let w = nextStepWeight(analysis, 0); out.length < FULL; w = nextStepWeight(analysis, w)) {
    out.push(w)
    if (w >= maxWeight(analysis)) break
  }
  return out
}

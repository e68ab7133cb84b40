import { request, type Dispatcher } from 'undici'
import type { WebhookCaller, WebhookResult } from '../controller/ports.js'
import { errorMessage } from '../util/errors.js'

/** Longest part of a response body kept as the message of a failed webhook. */
const MAX_MESSAGE = 512

/**
 * Calls webhooks over HTTP: a JSON POST with Flagger's payload. Any 2xx is success (Flagger took
 * only up to 202). Network errors and timeouts are failed results, never throws; `retries` more
 * attempts are made after a failure, with a short backoff.
 */
export function createWebhookCaller(
  options: { dispatcher?: Dispatcher; backoffMs?: number } = {},
): WebhookCaller {
  const backoff = options.backoffMs ?? 500
  return {
    async call(hook, payload, signal) {
      let last: WebhookResult = { name: hook.name, ok: false, message: 'not called' }
      for (let attempt = 0; attempt <= hook.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, backoff * attempt))
        if (signal.aborted) break
        last = await once(hook, payload, signal, options.dispatcher)
        if (last.ok) return last
      }
      return last
    },
  }
}

async function once(
  hook: { name: string; url: string; timeoutMs: number },
  payload: unknown,
  signal: AbortSignal,
  dispatcher: Dispatcher | undefined,
): Promise<WebhookResult> {
  try {
    const res = await request(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([signal, AbortSignal.timeout(hook.timeoutMs)]),
      headersTimeout: hook.timeoutMs,
      bodyTimeout: hook.timeoutMs,
      ...(dispatcher === undefined ? {} : { dispatcher }),
    })
    const text = (await res.body.text()).trim()
    const ok = res.statusCode >= 200 && res.statusCode < 300
    const body = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text
    return {
      name: hook.name,
      ok,
      status: res.statusCode,
      message: ok ? body || 'ok' : `status ${res.statusCode}${body === '' ? '' : `: ${body}`}`,
    }
  } catch (err) {
    const timedOut =
      err instanceof Error && (err.name === 'TimeoutError' || /timeout/i.test(err.message))
    return {
      name: hook.name,
      ok: false,
      message: timedOut ? `timed out after ${hook.timeoutMs}ms` : errorMessage(err),
    }
  }
}

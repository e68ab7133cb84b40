/** The proxy's outbound series for one service and backend, in Linkerd's names. */
export function metricsText(
  rows: { authority: string; dst: string; ok: number; bad: number; le: [string, number][] }[],
): string {
  const lines = ['# HELP response_total responses', '# TYPE response_total counter']
  for (const r of rows) {
    const l = `direction="outbound",authority="${r.authority}",dst_service="${r.dst}"`
    lines.push(`response_total{${l},classification="success",status_code="200"} ${r.ok}`)
    lines.push(`response_total{${l},classification="failure",status_code="500"} ${r.bad}`)
    for (const [le, n] of r.le) lines.push(`response_latency_ms_bucket{${l},le="${le}"} ${n}`)
  }
  lines.push('request_total{direction="inbound"} 5')
  return `${lines.join('\n')}\n`
}

import type { Socket } from 'node:net'

/** Bytes of request body held while the upstream connects before reading from the client pauses. */
const MAX_PENDING_BODY = 64 * 1024
/** Body bytes below this are copied next to the head into one write instead of a corked pair. */
const SMALL_BODY = 8 * 1024

/**
 * The request's way upstream for one attempt: the head (built once per request), then body bytes
 * as they arrive. Bytes that arrive before the connection is ready are held, and go out with the
 * head in one write when they are few.
 */
export class RequestSender {
  private readonly head: Buffer
  private socket: Socket | null = null
  private pending: Buffer[] | null = null
  private pendingBytes = 0
  /** Body bytes written upstream in this attempt. */
  bytes = 0

  constructor(head: Buffer) {
    this.head = head
  }

  /** A new attempt: nothing is sent yet (only bodiless requests are retried). */
  reset(): void {
    this.socket = null
    this.bytes = 0
  }

  /** The upstream connection is ready: sends the head and whatever body bytes are held. */
  flush(socket: Socket): void {
    this.socket = socket
    const pending = this.pending
    this.pending = null
    if (pending === null) {
      socket.write(this.head)
      return
    }
    const first = pending.length === 1 ? pending[0] : undefined
    if (first !== undefined && first.length <= SMALL_BODY) {
      socket.write(Buffer.concat([this.head, first]))
    } else {
      socket.cork()
      socket.write(this.head)
      for (const b of pending) socket.write(b)
      socket.uncork()
    }
    this.bytes += this.pendingBytes
    this.pendingBytes = 0
  }

  /** Sends (or holds) a body chunk. False means stop reading the client until a drain. */
  send(chunk: Buffer): boolean {
    if (this.socket !== null) {
      this.bytes += chunk.length
      return this.socket.write(chunk)
    }
    ;(this.pending ??= []).push(chunk)
    this.pendingBytes += chunk.length
    return this.pendingBytes <= MAX_PENDING_BODY
  }
}

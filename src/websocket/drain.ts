/**
 * A writer waiting for a socket's send buffer to drain: woken by the TCP
 * socket's 'drain', and by a poll too, since with permessage-deflate bytes
 * also wait in ws's compressor, which tells no one when it empties.
 * @module
 */
import type { Socket } from 'node:net'

// how often a waiting writer checks, besides the socket's 'drain'
const POLL_MS = 50

/** One wait, shared by every write that finds the buffer full; `promise` resolves once `drained()` holds. */
export class Drain {
  readonly promise: Promise<void>
  /** Checks now (the socket closed, say). */
  readonly check: () => void

  constructor(socket: Socket, drained: () => boolean) {
    let resolve!: () => void
    this.promise = new Promise<void>((done) => (resolve = done))
    const check = (this.check = () => {
      if (!drained()) return
      socket.off('drain', check)
      clearInterval(poll)
      resolve()
    })
    socket.on('drain', check)
    const poll = setInterval(check, POLL_MS)
  }
}

/**
 * A socket's callbacks once one of them went asynchronous: the events wait
 * in a queue and reach the handler one at a time, in the order they
 * happened; a long queue stops reading the socket (the client then waits in
 * TCP); the peer's close frame waits for the events received before it, or
 * for `closeTimeout`. A socket whose callbacks all answer at once never
 * makes one.
 * @module
 */
import { isThenable } from '../wsgi/callable.js'

/** The kinds of events a handler gets. */
export const Events = Object.freeze({ open: 0, message: 1, bytes: 2, ping: 3, pong: 4, close: 5 })
/** The kind of an event. */
export type Kind = (typeof Events)[keyof typeof Events]
/** An event for the handler: its kind, its data, and a close's reason. */
export type Pending = [kind: Kind, data: unknown, reason?: string]

/** What the queue drives: its socket's callbacks and its reading. */
export interface QueueHost {
  /** Runs the handler's callback for an event; throws or rejects as it does. */
  call(event: Pending): unknown
  /** Reports a callback's failure. */
  fail(error: unknown, kind: Kind): void
  /** Stops or starts reading the socket. */
  pause(): void
  resume(): void
  /** Answers the peer's close frame, now that the events before it were handled. */
  answerClose(code: number, reason: string): void
}

/** The queue of one socket, made when a callback first returns a promise (`wait`). */
export class CallbackQueue {
  readonly #host: QueueHost
  readonly #maxQueued: number
  readonly #closeTimeoutMs: number
  readonly #queue: Pending[] = []
  #busy = false
  #paused = false
  // the peer's close frame, waiting for the events received before it to be handled
  #closing: [code: number, reason: string] | undefined
  #closingTimer: NodeJS.Timeout | undefined

  constructor(host: QueueHost, options: { maxQueuedMessages: number; closeTimeoutMs: number }) {
    this.#host = host
    this.#maxQueued = options.maxQueuedMessages
    this.#closeTimeoutMs = options.closeTimeoutMs
  }

  /** Whether reading stopped because the handler is behind. */
  get paused(): boolean {
    return this.#paused
  }

  /** Whether the peer's close frame came and waits for its answer. */
  get closing(): boolean {
    return this.#closing !== undefined
  }

  /** Holds the events after the one whose callback returned `pending`, until it settles. */
  wait(pending: PromiseLike<unknown>, kind: Kind): void {
    this.#busy = true
    pending.then(
      () => this.#next(),
      (error: unknown) => {
        this.#host.fail(error, kind)
        this.#next()
      },
    )
  }

  /** Hands an event to the handler now, or queues it behind the callback still running. */
  deliver(event: Pending): void {
    if (!this.#busy) {
      this.#run(event)
      return
    }
    this.#queue.push(event)
    if (!this.#paused && this.#queue.length >= this.#maxQueued) {
      this.#paused = true
      this.#host.pause()
    }
  }

  /**
   * The peer's close frame: `false` when no callback is running (it is
   * answered at once); else it is answered once the events before it are
   * handled (their writes go out first), or after `closeTimeout`.
   */
  peerClosing(code: number, reason: string): boolean {
    if (!this.#busy) return false
    this.#closing = [code, reason]
    this.#closingTimer = setTimeout(() => this.#answerClose(), this.#closeTimeoutMs)
    return true
  }

  /** The socket closed: nothing is left to answer. */
  closed(): void {
    clearTimeout(this.#closingTimer)
    this.#closing = undefined
  }

  #run(event: Pending): void {
    let result: unknown
    try {
      result = this.#host.call(event)
    } catch (error) {
      this.#host.fail(error, event[0])
      return
    }
    if (isThenable(result)) this.wait(result, event[0])
  }

  #next(): void {
    this.#busy = false
    const queue = this.#queue
    while (queue.length > 0 && !this.#busy) this.#run(queue.shift()!)
    if (this.#busy) return
    if (this.#closing !== undefined) this.#answerClose()
    else if (this.#paused) {
      this.#paused = false
      this.#host.resume()
    }
  }

  #answerClose(): void {
    const [code, reason] = this.#closing!
    this.closed()
    this.#host.answerClose(code, reason)
  }
}

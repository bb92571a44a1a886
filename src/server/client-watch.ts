/**
 * Watching the client while a response is written: whether it went away, the
 * AbortSignal an application may listen to, waits that give up when it goes,
 * and the wait for a client that stopped reading (`send_timeout`).
 * @module
 */
import { ClientDisconnected } from '../wsgi/errors.js'
import type { Logger } from '../wsgi/types.js'

/** The events of node:http's `ServerResponse` a watch listens to. */
export interface WatchedResponse {
  once(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
  destroy(error?: Error): unknown
  readonly writableFinished: boolean
}

/**
 * The watch over one response, made only when the response first waits on
 * something: a response answered at once never needs one.
 */
export class ClientWatch {
  #aborted = false
  #controller: AbortController | undefined
  #reject: ((error: Error) => void) | undefined
  readonly #res: WatchedResponse
  readonly #sendTimeout: number
  readonly #logger: Logger
  readonly #onAbort: () => void

  /** `onAbort` runs once, when the client goes away before the response is complete. */
  constructor(res: WatchedResponse, sendTimeout: number, logger: Logger, onAbort: () => void) {
    this.#res = res
    this.#sendTimeout = sendTimeout
    this.#logger = logger
    this.#onAbort = onAbort
    res.once('close', () => {
      if (!res.writableFinished) this.#abort()
    })
  }

  /** Whether the client went away before the response was complete. */
  get aborted(): boolean {
    return this.#aborted
  }

  /** Aborted when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController()
    if (this.#aborted) this.#controller.abort(new ClientDisconnected())
    return this.#controller.signal
  }

  /** Waits for a promise, but gives up with `ClientDisconnected` as soon as the client goes away. */
  watch<T>(promise: PromiseLike<T>): Promise<T> {
    if (this.#aborted) return Promise.reject(new ClientDisconnected())
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject
      promise.then(
        (value) => {
          this.#reject = undefined
          resolve(value)
        },
        (error: unknown) => {
          this.#reject = undefined
          // the application's own rejection travels on unchanged
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error)
        },
      )
    })
  }

  /** Resolves when the socket can take more; a client that reads nothing for `send_timeout` is dropped. */
  drain(): Promise<void> {
    const res = this.#res
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#logger.debug('Dropped a client that stopped reading the response')
        res.destroy()
      }, this.#sendTimeout * 1000)
      const onDrain = () => {
        clearTimeout(timer)
        this.#reject = undefined
        resolve()
      }
      this.#reject = (error) => {
        clearTimeout(timer)
        res.off('drain', onDrain)
        reject(error)
      }
      res.once('drain', onDrain)
    })
  }

  #abort(): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#controller?.abort(new ClientDisconnected())
    this.#reject?.(new ClientDisconnected())
    this.#onAbort()
  }
}

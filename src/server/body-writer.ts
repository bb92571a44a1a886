/**
 * Sending an application's body: a WsgiResponse is started and hands over
 * its chunks; an array of chunks in hand goes out at once with a Content-Length; the
 * rest is iterated (sync, promised chunks, async) with backpressure, each
 * wait giving up when the client goes away.
 * @module
 */
import { isThenable } from '../wsgi/callable.js'
import { WsgiResponse } from '../wsgi/response.js'
import type { Body, Chunk, Environ, StartResponse } from '../wsgi/types.js'

/** The size of a chunk in bytes; anything but text or bytes is the application's error, found before it is sent. */
export function byteLength(chunk: Chunk): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk)
  if (chunk instanceof Uint8Array) return chunk.byteLength
  throw new TypeError(
    `A body chunk must be a string or bytes, not ${chunk === null ? 'null' : typeof chunk}`,
  )
}

/** What the body writer needs of the response it writes. */
export interface BodyTarget {
  readonly environ: Environ
  readonly startResponse: StartResponse
  /** The status line given to `start_response`, if it was called. */
  readonly status: string | undefined
  /** Sends a chunk as the WSGI `write` does: resolves when the client can take more. */
  send(data: Chunk): Promise<void>
  /** Sends the last chunks (framing the whole body when nothing went out yet) and ends the response. */
  end(chunks?: readonly Chunk[]): void
  /** Waits for a promise, giving up when the client goes away. */
  watch<T>(promise: PromiseLike<T>): Promise<T>
  /** The iterator being read, so that a client going away stops it. */
  iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined
}

/** What `write()` returns when the socket took the chunk at once: no need to wait on it. */
export const RESOLVED = Promise.resolve()

/**
 * Sends `body` through `target`; `undefined` when it went out at once (an
 * array of chunks in hand, no promise needed), else a promise of the end.
 * `excInfo` starts a WsgiResponse as an error page.
 */
export function sendBody(
  target: BodyTarget,
  body: Body,
  excInfo?: unknown,
): Promise<void> | undefined {
  const source = sourceOf(target, body, excInfo)
  if (Array.isArray(source) && inHand(source)) {
    target.end(source)
    return undefined
  }
  return stream(target, source)
}

/** Whether every item of an array body is a chunk already (no promise to wait for). */
function inHand(items: readonly unknown[]): items is readonly Chunk[] {
  for (const item of items) if (isThenable(item)) return false
  return true
}

/** What to iterate for a body: a WsgiResponse is started if need be and hands over its chunks. */
function sourceOf(target: BodyTarget, body: Body, excInfo: unknown): readonly Chunk[] | Body {
  if (body === null || typeof body !== 'object')
    throw new TypeError('The application must return an iterable body')
  if (!(body instanceof WsgiResponse)) return body
  // started by whoever sends it (docs/contract.md): here, unless a handler bound it
  // first or the application started its response itself
  if (target.status === undefined || excInfo !== undefined)
    body.bind(target.environ, target.startResponse, excInfo)
  return body.chunks()
}

async function stream(target: BodyTarget, source: readonly Chunk[] | Body): Promise<void> {
  if (Array.isArray(source)) {
    const last = source.length - 1
    for (let i = 0; i < last; i++) await writeChunk(target, source[i] as Chunk | PromiseLike<Chunk>)
    let chunk = source[last] as Chunk | PromiseLike<Chunk> | undefined
    if (isThenable<Chunk>(chunk)) chunk = await target.watch(chunk)
    return target.end(chunk === undefined ? undefined : [chunk])
  }
  if (Symbol.asyncIterator in source) {
    const iterator = (target.iterator = source[Symbol.asyncIterator]())
    for (
      let step = await target.watch(iterator.next());
      !step.done;
      step = await target.watch(iterator.next())
    )
      await target.send(step.value)
  } else if (Symbol.iterator in source) {
    const iterator = (target.iterator = source[Symbol.iterator]())
    for (let step = iterator.next(); !step.done; step = iterator.next())
      await writeChunk(target, step.value)
  } else throw new TypeError('The application must return an iterable body')
  target.iterator = undefined
  target.end()
}

async function writeChunk(target: BodyTarget, chunk: Chunk | PromiseLike<Chunk>): Promise<void> {
  const data = isThenable<Chunk>(chunk) ? await target.watch(chunk) : chunk
  const drained = target.send(data)
  if (drained !== RESOLVED) await drained
}

/** Stops an abandoned iterator (the client went away); its own failure to stop changes nothing. */
export function stopIterator(iterator: Iterator<unknown> | AsyncIterator<unknown>): void {
  if (!iterator.return) return
  try {
    const result = iterator.return()
    if (isThenable(result)) result.then(undefined, () => undefined)
  } catch {
    // the body is being abandoned: its own failure to stop changes nothing
  }
}

/**
 * The shapes a callable comes in: a function, or an object with a `handle`
 * method. Each is turned into a plain function once, when it is registered.
 * @module
 */
import type { Callable } from './types.js'

/** Turns a function or an object with a `handle` method into a function; `what` names it in errors. */
export function toFunction<F extends (...args: never[]) => unknown>(
  callable: Callable<F>,
  what: string,
): F {
  if (typeof callable === 'function') return callable
  if (typeof callable === 'object' && callable !== null && typeof callable.handle === 'function')
    return callable.handle.bind(callable) as F
  throw new TypeError(`${what} must be a function or an object with a handle() method`)
}

/** Whether a value is a promise or any other thenable. */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

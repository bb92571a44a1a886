/**
 * pulsar's `wait_for_body_middleware`: the whole request body read before
 * the application runs, so synchronous handlers can read it.
 * @module
 */
import { BufferedInput } from '../wsgi/buffered-input.js'
import type { Environ, Middleware } from '../wsgi/types.js'

const EMPTY = Buffer.alloc(0)

/**
 * A request middleware that reads the whole body, within the
 * `stream_buffer` limit (a larger one is a 413), replaces `wsgi.input` with
 * a `BufferedInput` over it and removes `wsgi.async`; then the next
 * middleware answers. A request without a body costs no promise.
 */
export const waitForBodyMiddleware: Middleware = function waitForBodyMiddleware(environ: Environ) {
  if (!environ['wsgi.async']) return undefined
  const input = environ['wsgi.input']
  const buffered = (data: Buffer): undefined => {
    environ['wsgi.input'] = new BufferedInput(data, environ['pulsar.cfg'].max_json_depth)
    delete environ['wsgi.async']
    return undefined
  }
  if (input.length === 0) return buffered(EMPTY)
  return input.read().then(buffered)
}

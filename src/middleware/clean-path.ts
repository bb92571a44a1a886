/**
 * pulsar's `clean_path_middleware`: one URL per resource, whatever slashes
 * the client doubled.
 * @module
 */
import { WsgiResponse } from '../wsgi/response.js'
import type { Environ, Middleware } from '../wsgi/types.js'

/** Encodes a decoded path for a Location header; `?` and `#` would end the path. */
function encodePath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, encodeURIComponent)
}

/**
 * A request middleware that redirects (302) a path with repeated slashes
 * (`/a//b`) to the path with single ones (`/a/b`), the query kept. The
 * target never starts with `//`, which a browser would take for another
 * host.
 */
export const cleanPathMiddleware: Middleware = function cleanPathMiddleware(environ: Environ) {
  const path = environ.PATH_INFO
  if (!path.includes('//')) return undefined
  const query = environ.QUERY_STRING
  const location = encodePath(environ.SCRIPT_NAME + path.replace(/\/{2,}/g, '/'))
  return WsgiResponse.redirect(query ? `${location}?${query}` : location, 302)
}

/**
 * The trailing-slash redirect: a decoded path back to URL text, and the 308
 * to the form of a route's rule.
 * @module
 */
import { WsgiResponse } from '../wsgi/response.js'
import type { Environ } from '../wsgi/types.js'
import type { Rule } from './rule.js'

/** A decoded path (PATH_INFO) as URL text for a `Location`. */
export function encodePath(path: string): string {
  // a decoded path back to URL text; `//` at the start would be another host
  return encodeURI(path)
    .replace(/[?#]/g, encodeURIComponent)
    .replace(/^\/{2,}/, '/')
}

/** A 308 to the path with the trailing slash of the route's rule. */
export function redirectSlash(environ: Environ, rule: Rule): WsgiResponse {
  const path = environ.PATH_INFO
  const target = rule.isRest || !path.endsWith('/') ? `${path}/` : path.slice(0, -1)
  const query = environ.QUERY_STRING
  return WsgiResponse.redirect(encodePath(target) + (query ? `?${query}` : ''), 308)
}

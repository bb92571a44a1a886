/**
 * pulsar's `authorization_middleware`: the `Authorization` header, parsed
 * once per request into `environ['http.authorization']`.
 * @module
 */
import type { Environ, Middleware } from '../wsgi/types.js'

/** `Authorization: Basic` (RFC 7617): a user name and a password. */
export interface BasicAuthorization {
  scheme: 'basic'
  username: string
  password: string
}

/** `Authorization: Bearer` (RFC 6750): a token. */
export interface BearerAuthorization {
  scheme: 'bearer'
  token: string
}

/** The credentials of a request, as `authorizationMiddleware` parses them. */
export type Authorization = BasicAuthorization | BearerAuthorization

declare module '../wsgi/types.js' {
  interface Environ {
    /** Set by `authorizationMiddleware`: the parsed `Authorization` header, `null` when absent, malformed or of another scheme. */
    'http.authorization'?: Authorization | null
  }
}

// RFC 9110 §11.2: scheme, one or more spaces, token68 credentials
const CREDENTIALS = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +([A-Za-z0-9\-._~+/]+=*) *$/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
// RFC 7617 §2: neither the user-id nor the password may hold control characters
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Strict base64 (RFC 4648 §4): Buffer.from() would skip what is not. Padding may be left out. */
function isBase64(text: string): boolean {
  if (!BASE64.test(text)) return false
  return text.endsWith('=') ? text.length % 4 === 0 : text.length % 4 !== 1
}

function parseBasic(credentials: string): BasicAuthorization | null {
  if (!isBase64(credentials)) return null
  let decoded: string
  try {
    decoded = utf8.decode(Buffer.from(credentials, 'base64'))
  } catch {
    return null // not UTF-8 (RFC 7617 §2.1)
  }
  const colon = decoded.indexOf(':')
  if (colon < 0 || CONTROL.test(decoded)) return null
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * Parses an `Authorization` header value: Basic and Bearer credentials, or
 * `null` when it is absent, malformed or of another scheme. Never throws
 * (pulsar's `parse_authorization_header`).
 */
export function parseAuthorization(header: string | undefined): Authorization | null {
  if (header === undefined) return null
  const match = CREDENTIALS.exec(header.trim())
  if (!match) return null
  const scheme = match[1]!.toLowerCase()
  const credentials = match[2]!
  if (scheme === 'basic') return parseBasic(credentials)
  if (scheme === 'bearer') return { scheme: 'bearer', token: credentials }
  return null
}

/**
 * A request middleware that parses `Authorization` once into
 * `environ['http.authorization']` (`null` when absent or malformed) and
 * lets the next middleware answer.
 */
export const authorizationMiddleware: Middleware = function authorizationMiddleware(
  environ: Environ,
) {
  if (!('http.authorization' in environ))
    environ['http.authorization'] = parseAuthorization(environ.HTTP_AUTHORIZATION)
  return undefined
}

/**
 * Cookies (RFC 6265): parsing the request's `Cookie` header and writing
 * `Set-Cookie` values.
 * @module
 */

/** Attributes of a `Set-Cookie` header. */
export interface CookieOptions {
  /** Seconds until the cookie expires; also sets `Expires`. */
  maxAge?: number
  /** When the cookie expires (ignored when `maxAge` is given). */
  expires?: Date
  /** @default '/' */
  path?: string
  domain?: string
  /** @default false */
  secure?: boolean
  /** @default false */
  httpOnly?: boolean
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** @default false */
  partitioned?: boolean
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// RFC 6265 cookie-octet, plus the double quotes of a quoted value
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/
// control characters or a semicolon would break out of the attribute
// eslint-disable-next-line no-control-regex
const ATTRIBUTE = /^[^\x00-\x1f\x7f;]*$/

/** Parses a `Cookie` header into name/value pairs; the first of duplicate names wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>
  if (!header) return cookies
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    const name = pair.slice(0, eq).trim()
    if (!name || name in cookies) continue
    let value = pair.slice(eq + 1).trim()
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    cookies[name] = decode(value)
  }
  return cookies
}

function decode(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** A `Set-Cookie` header value; throws a `TypeError` for a name or attribute that could break the header. */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid cookie name ${JSON.stringify(name)}`)
  const encoded = VALUE.test(value) ? value : encodeURIComponent(value)
  let cookie = `${name}=${encoded}`
  if (options.maxAge !== undefined) {
    const maxAge = Math.floor(options.maxAge)
    cookie += `; Max-Age=${maxAge}; Expires=${new Date(Date.now() + maxAge * 1000).toUTCString()}`
  } else if (options.expires) {
    cookie += `; Expires=${options.expires.toUTCString()}`
  }
  cookie += `; Path=${attribute(options.path ?? '/')}`
  if (options.domain) cookie += `; Domain=${attribute(options.domain)}`
  if (options.secure || options.sameSite === 'None' || options.partitioned) cookie += '; Secure'
  if (options.httpOnly) cookie += '; HttpOnly'
  if (options.sameSite) cookie += `; SameSite=${options.sameSite}`
  if (options.partitioned) cookie += '; Partitioned'
  return cookie
}

function attribute(value: string): string {
  if (!ATTRIBUTE.test(value))
    throw new TypeError(`Invalid cookie attribute ${JSON.stringify(value)}`)
  return value
}

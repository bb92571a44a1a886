/**
 * Default response headers: a set of the user's, and a secure preset
 * (nosniff, frame options, referrer policy, HSTS over HTTPS, CSP).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'

import { type HeadersInit, ResponseHeaders } from '../wsgi/headers.js'
import type { ResponseMiddleware, WsgiResponse } from '../wsgi/response.js'
import type { Environ, Header } from '../wsgi/types.js'
import { integerOption } from './options.js'

/** Options of `defaultHeaders()`. */
export interface DefaultHeadersOptions {
  /** Whether these headers replace the ones the application set; by default the application's win. @default false */
  override?: boolean
}

/** Strict-Transport-Security's directives. */
export interface HstsOptions {
  /** Seconds the browser keeps to HTTPS. @default 31536000 (a year) */
  maxAge?: number
  /** Whether subdomains are HTTPS-only too. @default true */
  includeSubDomains?: boolean
  /** Whether to ask to be on the browsers' preload list. @default false */
  preload?: boolean
}

/** Options of `secureHeaders()`; every header of the preset can be changed or left out (`false`). */
export interface SecureHeadersOptions extends DefaultHeadersOptions {
  /** `X-Content-Type-Options: nosniff`. @default true */
  noSniff?: boolean
  /** `X-Frame-Options`. @default 'SAMEORIGIN' */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false
  /** `Referrer-Policy`. @default 'no-referrer' */
  referrerPolicy?: string | false
  /** `Strict-Transport-Security`, sent only on requests that came over HTTPS. @default {} (the defaults of HstsOptions) */
  hsts?: HstsOptions | false
  /**
   * `Content-Security-Policy`, as the header's value or as directives
   * (`{ 'default-src': ["'self'"] }`). @default undefined (none)
   */
  contentSecurityPolicy?: string | Readonly<Record<string, string | readonly string[]>>
  /** Sends the policy as `Content-Security-Policy-Report-Only` instead. @default false */
  contentSecurityPolicyReportOnly?: boolean
  /** More headers, sent with the preset. */
  headers?: HeadersInit
}

/** The pairs of a header set, checked now so a bad one fails at startup. */
function checkedPairs(headers: HeadersInit): Header[] {
  const pairs = new ResponseHeaders(headers).toList()
  for (const [name, value] of pairs) {
    validateHeaderName(name)
    validateHeaderValue(name, value)
  }
  return pairs
}

function applyHeaders(response: WsgiResponse, pairs: readonly Header[], override: boolean): void {
  const headers = response.headers
  for (const [name, value] of pairs)
    if (override) headers.set(name, value)
    else if (!headers.has(name)) headers.append(name, value)
}

/**
 * A response middleware that adds `headers` to every response, leaving a
 * header the application set alone unless `override` is on.
 *
 * @example
 * ```ts
 * new WsgiHandler([app], [defaultHeaders({ 'Cache-Control': 'no-store' })])
 * ```
 */
export function defaultHeaders(
  headers: HeadersInit,
  options: DefaultHeadersOptions = {},
): ResponseMiddleware {
  const pairs = checkedPairs(headers)
  const override = options.override ?? false
  return function defaultHeaders(_environ, response) {
    applyHeaders(response, pairs, override)
    return undefined
  }
}

function policyValue(policy: NonNullable<SecureHeadersOptions['contentSecurityPolicy']>): string {
  if (typeof policy === 'string') return policy
  return Object.entries(policy)
    .map(([directive, value]) =>
      [directive, ...(typeof value === 'string' ? [value] : value)].join(' '),
    )
    .join('; ')
}

function hstsValue(options: HstsOptions): string {
  const maxAge = integerOption('hsts.maxAge', options.maxAge ?? 31536000, 0)
  let value = `max-age=${maxAge}`
  if (options.includeSubDomains ?? true) value += '; includeSubDomains'
  if (options.preload ?? false) value += '; preload'
  return value
}

/**
 * A response middleware with a secure preset of headers:
 * `X-Content-Type-Options: nosniff`, `X-Frame-Options: SAMEORIGIN`,
 * `Referrer-Policy: no-referrer`, `Strict-Transport-Security` on HTTPS
 * requests only (RFC 6797 §7.2: browsers ignore it over plain HTTP), and a
 * `Content-Security-Policy` when one is given. The application's own headers
 * win unless `override` is on.
 */
export function secureHeaders(options: SecureHeadersOptions = {}): ResponseMiddleware {
  const preset: Header[] = []
  if (options.noSniff ?? true) preset.push(['X-Content-Type-Options', 'nosniff'])
  const frame = options.frameOptions ?? 'SAMEORIGIN'
  if (frame !== false) {
    if (frame !== 'DENY' && frame !== 'SAMEORIGIN')
      throw new TypeError(
        `frameOptions must be 'DENY', 'SAMEORIGIN' or false, not ${String(frame)}`,
      )
    preset.push(['X-Frame-Options', frame])
  }
  const referrer = options.referrerPolicy ?? 'no-referrer'
  if (referrer !== false) preset.push(['Referrer-Policy', referrer])
  const csp = options.contentSecurityPolicy
  if (csp !== undefined) {
    const name = options.contentSecurityPolicyReportOnly
      ? 'Content-Security-Policy-Report-Only'
      : 'Content-Security-Policy'
    preset.push([name, policyValue(csp)])
  }
  const always = checkedPairs(preset)
  if (options.headers) always.push(...checkedPairs(options.headers))
  const hsts = options.hsts ?? {}
  const secure: Header[] =
    hsts === false ? always : [...always, ['Strict-Transport-Security', hstsValue(hsts)]]
  const override = options.override ?? false
  return function secureHeaders(environ: Environ, response: WsgiResponse) {
    applyHeaders(response, environ['wsgi.url_scheme'] === 'https' ? secure : always, override)
    return undefined
  }
}

/**
 * The request's headers as environ keys, read straight from the raw list
 * node:http parsed (`rawHeaders`), so its joined `headers` object, built on
 * first use, is never built: one `HTTP_*` key per header, repeated list
 * fields joined with ", " (RFC 9110 §5.3), cookies with "; " (RFC 6265
 * §5.4), and the first of a repeated single-value field kept, as node:http
 * joins them.
 * @module
 */
import { BadRequest } from '../wsgi/errors.js'
import type { Environ } from '../wsgi/types.js'

// node:http's single-value fields: a repeat is dropped (its `matchKnownFields`)
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/** Where a header goes in the environ, and how a repeat of it joins (`undefined`: the first wins). */
interface Slot {
  key: string
  join: string | undefined
}

const CACHE_LIMIT = 1000
// by the name as the client wrote it; `null` for names with an underscore
const slots = new Map<string, Slot | null>()

function slotOf(name: string): Slot | null {
  let slot = slots.get(name)
  if (slot !== undefined) return slot
  const lower = name.toLowerCase()
  // `X_Forwarded_For` would pose as `X-Forwarded-For`: names with underscores are dropped
  slot = lower.includes('_')
    ? null
    : {
        key:
          lower === 'content-type'
            ? 'CONTENT_TYPE'
            : lower === 'content-length'
              ? 'CONTENT_LENGTH'
              : 'HTTP_' + lower.toUpperCase().replaceAll('-', '_'),
        join: FIRST_WINS.has(lower) ? undefined : lower === 'cookie' ? '; ' : ', ',
      }
  if (slots.size < CACHE_LIMIT) slots.set(name, slot)
  return slot
}

/** Adds the headers of `raw` (name, value, name, value...) to the environ; two Host headers are a 400. */
export function addHeaders(environ: Environ, raw: readonly string[]): void {
  for (let i = 0; i < raw.length; i += 2) {
    const slot = slotOf(raw[i]!)
    if (slot === null) continue
    const current = environ[slot.key] as string | undefined
    if (current === undefined) environ[slot.key] = raw[i + 1]!
    // RFC 9112 §3.2: more than one Host is a 400 (node:http would keep the first)
    else if (slot.key === 'HTTP_HOST') throw new BadRequest('More than one Host header')
    else if (slot.join !== undefined) environ[slot.key] = current + slot.join + raw[i + 1]!
  }
}

/** Whether a request's raw headers declare a body (a Content-Length or a Transfer-Encoding). */
export function declaresBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    // only these lengths can be either name: most headers are passed over unread
    if (name.length !== 14 && name.length !== 17) continue
    const lower = name.toLowerCase()
    if (lower === 'content-length' || lower === 'transfer-encoding') return true
  }
  return false
}

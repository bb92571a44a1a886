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

// the mark of a slot made past the caches' limit: not shared by other spellings of its name
const UNSHARED = -1

/** Where a header goes in the environ, and how a repeat of it joins (`undefined`: the first wins). */
interface Slot {
  key: string
  join: string | undefined
  /** The call of `addHeaders` that last set it: a repeat within one call is a second header of the name. */
  seen: number
}

const CACHE_LIMIT = 1000
// by the name as the client wrote it; `null` for names with an underscore
const slots = new Map<string, Slot | null>()
// by the lower-case name: every spelling of a name shares one slot, so `Host` and `host` are a repeat
const slotsByName = new Map<string, Slot>()

// the name last looked up at each length, and its slot: a client sends the same names
// on every request, and comparing two short strings costs less than hashing a new one
// (two arrays, not an entry object: names of one length take turns without allocating)
const RECENT_LENGTHS = 64
const recentNames: string[] = Array.from({ length: RECENT_LENGTHS }, () => '')
const recentSlots: (Slot | null)[] = Array.from({ length: RECENT_LENGTHS }, () => null)

function slotOf(name: string): Slot | null {
  const length = name.length
  if (length < RECENT_LENGTHS && recentNames[length] === name) return recentSlots[length]!
  let slot = slots.get(name)
  if (slot !== undefined) {
    if (length < RECENT_LENGTHS) {
      recentNames[length] = name
      recentSlots[length] = slot
    }
    return slot
  }
  const lower = name.toLowerCase()
  // `X_Forwarded_For` would pose as `X-Forwarded-For`: names with underscores are dropped
  slot = lower.includes('_')
    ? null
    : (slotsByName.get(lower) ?? {
        key:
          lower === 'content-type'
            ? 'CONTENT_TYPE'
            : lower === 'content-length'
              ? 'CONTENT_LENGTH'
              : 'HTTP_' + lower.toUpperCase().replaceAll('-', '_'),
        join: FIRST_WINS.has(lower) ? undefined : lower === 'cookie' ? '; ' : ', ',
        seen: 0,
      })
  if (slot !== null && !slotsByName.has(lower)) {
    if (slotsByName.size < CACHE_LIMIT) slotsByName.set(lower, slot)
    else slot.seen = UNSHARED
  }
  if (slots.size < CACHE_LIMIT) slots.set(name, slot)
  return slot
}

let calls = 0

/** Adds the headers of `raw` (name, value, name, value...) to the environ; two Host headers are a 400. */
export function addHeaders(environ: Environ, raw: readonly string[]): void {
  // marking each slot as it is set tells a repeated name without reading the environ back
  calls = calls === 0x3fffffff ? 1 : calls + 1
  const call = calls
  for (let i = 0; i < raw.length; i += 2) {
    const slot = slotOf(raw[i]!)
    if (slot === null) continue
    const repeat = slot.seen === UNSHARED ? environ[slot.key] !== undefined : slot.seen === call
    if (!repeat) {
      if (slot.seen !== UNSHARED) slot.seen = call
      // a store by a constant name is cheaper than one by a variable key: Host comes every time
      if (slot.key === 'HTTP_HOST') environ.HTTP_HOST = raw[i + 1]!
      else environ[slot.key] = raw[i + 1]!
    }
    // RFC 9112 §3.2: more than one Host is a 400 (node:http would keep the first)
    else if (slot.key === 'HTTP_HOST') throw new BadRequest('More than one Host header')
    else if (slot.join !== undefined)
      environ[slot.key] = (environ[slot.key] as string) + slot.join + raw[i + 1]!
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

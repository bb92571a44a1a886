/**
 * The rules of a response's head as `start_response` receives it: the
 * status line, the headers the server acts on (hop-by-hop ones, which it
 * drops, Content-Length and Server), and the values it checks. Cached where
 * applications repeat themselves: a few status lines, a few header names.
 * @module
 */
import { STATUS_CODES } from 'node:http'

import { HOP_BY_HOP } from '../wsgi/headers.js'
import type { Header, Logger } from '../wsgi/types.js'

const warned = new Set<string>()

type Role = 'hop-by-hop' | 'content-length' | 'server' | undefined

// only names of these lengths can be a header the server acts on: the others
// are never looked up
const SPECIAL_LENGTH: boolean[] = []
for (const name of [...HOP_BY_HOP, 'content-length', 'server']) SPECIAL_LENGTH[name.length] = true

const CACHE_LIMIT = 1000
const statuses = new Map<string, readonly [code: number, reason: string]>()
// by the name as the application spells it
const roles = new Map<string, Role | null>()
// applications send the same Content-Length value again and again
let lastLength = ['', 0] as [text: string, length: number]
let server: Header = ['Server', '']

/** Parses a status line (`'200 OK'`, `'418'`) into its code and reason; a 1xx or a malformed line throws. */
export function parseStatus(status: string): readonly [number, string] {
  let parsed = statuses.get(status)
  if (parsed !== undefined) return parsed
  // a 1xx is an interim answer (RFC 9110 §15.2): never the application's final one; the
  // reason is HTAB, SP, VCHAR and obs-text (RFC 9112 §4): no control character, nothing past Latin-1
  const match =
    typeof status === 'string' ? /^([2-5]\d\d)(?: ([\t\x20-\x7e\x80-\xff]*))?$/.exec(status) : null
  if (!match) throw new TypeError(`Invalid status line ${JSON.stringify(status)}`)
  const code = Number(match[1])
  parsed = [code, match[2] || STATUS_CODES[code] || '']
  if (statuses.size < CACHE_LIMIT) statuses.set(status, parsed)
  return parsed
}

/** What the server makes of a response header: drop it, read it, or just send it (`undefined`). */
function headerRole(name: string): Role {
  if (SPECIAL_LENGTH[name.length] !== true) return undefined
  const known = roles.get(name)
  if (known !== undefined) return known ?? undefined
  const lower = name.toLowerCase()
  const role: Role = HOP_BY_HOP.has(lower)
    ? 'hop-by-hop'
    : lower === 'content-length' || lower === 'server'
      ? lower
      : undefined
  if (roles.size < CACHE_LIMIT) roles.set(name, role ?? null)
  return role
}

/** Logs a dropped hop-by-hop header, once per name per process (an app sets it on every response). */
function warnDropped(name: string, logger: Logger): void {
  const lower = name.toLowerCase()
  if (warned.has(lower)) return
  warned.add(lower)
  logger.warn(`Dropped hop-by-hop header "${name}" set by the application`)
}

/** A Content-Length value as a number: 1*DIGIT (RFC 9110 §8.6), anything else throws. */
function parseLength(value: string): number {
  if (value === lastLength[0]) return lastLength[1]
  const length = /^\d{1,15}$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(length))
    throw new TypeError(`Invalid Content-Length ${JSON.stringify(value)}`)
  lastLength = [value, length]
  return length
}

/** The Server header for this software, one pair shared by every response. */
export function serverHeader(software: string): Header {
  if (server[1] !== software) server = ['Server', software]
  return server
}

/** The head an application asked for, as the server will send it. */
export interface ResponseHead {
  code: number
  reason: string
  /** A copy of the application's headers: hop-by-hop ones dropped, `Server` added unless `software` is empty. */
  headers: Header[]
  /** The Content-Length the application set, if any. */
  contentLength: number | undefined
}

/**
 * Applies the head rules to what an application gave `start_response`; a
 * malformed status or Content-Length throws (the application's error).
 */
export function readHead(
  status: string,
  headers: Header[],
  software: string,
  logger: Logger,
): ResponseHead {
  const [code, reason] = parseStatus(status)
  if (!Array.isArray(headers))
    throw new TypeError('Response headers must be a list of [name, value] pairs')
  // a copy: applications often reuse one header list for every response
  const list: Header[] = []
  let contentLength: number | undefined
  let hasServer = false
  for (const header of headers) {
    // names and values are checked for their characters by node:http, before anything is sent
    if (
      typeof header !== 'object' ||
      typeof header[0] !== 'string' ||
      typeof header[1] !== 'string'
    )
      throw new TypeError(`A response header must be a [name, value] pair of strings`)
    const role = headerRole(header[0])
    if (role === 'hop-by-hop') {
      warnDropped(header[0], logger)
      continue
    }
    if (role === 'content-length') {
      // RFC 9110 §8.6: no Content-Length on a 204
      if (code === 204) continue
      const length = parseLength(header[1])
      // a repeat of the same value is sent once; two values would desynchronise the client
      if (contentLength !== undefined) {
        if (length === contentLength) continue
        throw new TypeError(`Two Content-Length headers: ${contentLength} and ${length}`)
      }
      contentLength = length
    } else if (role === 'server') hasServer = true
    list.push(header)
  }
  // an empty `server_software` sends none
  if (!hasServer && software !== '') list.push(serverHeader(software))
  return { code, reason, headers: list, contentLength }
}

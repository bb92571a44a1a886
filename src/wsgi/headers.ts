/**
 * ResponseHeaders: an ordered, case-insensitive list of response headers
 * where a name may repeat (Set-Cookie, Vary...); `headerKey`, the environ
 * key of a request header; and the hop-by-hop headers.
 * @module
 */
import type { Header } from './types.js'

/** Headers as given to a response: a list of pairs or a plain object. */
export type HeadersInit = readonly (readonly [string, string])[] | Readonly<Record<string, string>>

function isPairs(init: HeadersInit): init is readonly (readonly [string, string])[] {
  return Array.isArray(init)
}

/**
 * Whether two header names are one, whatever their case: the same spelling
 * (the common case, and no new string), then the length, then the letters.
 */
function same(key: string, name: string): boolean {
  return key === name || (key.length === name.length && key.toLowerCase() === name.toLowerCase())
}

/**
 * Ordered, case-insensitive response headers; names keep the case they were
 * set with. Pairs are never changed in place, so lists may share them.
 */
export class ResponseHeaders implements Iterable<Header> {
  #list: Header[]

  constructor(init?: HeadersInit) {
    if (init === undefined) this.#list = []
    else if (isPairs(init)) this.#list = init.slice() as Header[]
    else this.#list = Object.entries(init)
  }

  /** The first value of a header, or `undefined`. */
  get(name: string): string | undefined {
    for (const [key, value] of this.#list) if (same(key, name)) return value
    return undefined
  }

  /** Every value of a header, in order. */
  getAll(name: string): string[] {
    return this.#list.filter(([key]) => same(key, name)).map(([, value]) => value)
  }

  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  /** Replaces every value of a header with one. */
  set(name: string, value: string): this {
    this.delete(name)
    this.#list.push([name, value])
    return this
  }

  /** Adds a value, keeping the ones already there. */
  append(name: string, value: string): this {
    this.#list.push([name, value])
    return this
  }

  delete(name: string): this {
    if (this.#list.some(([key]) => same(key, name)))
      this.#list = this.#list.filter(([key]) => !same(key, name))
    return this
  }

  /** A copy of the list of `[name, value]` pairs. */
  toList(): Header[] {
    return this.#list.slice()
  }

  get size(): number {
    return this.#list.length
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.#list[Symbol.iterator]()
  }
}

const KEY_CACHE_LIMIT = 1000
const keyCache = new Map<string, string>()

/** The environ key of a lower-case request header name: `HTTP_X_FORWARDED_FOR` for `x-forwarded-for`. */
export function headerKey(name: string): string {
  let key = keyCache.get(name)
  if (key === undefined) {
    key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_')
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(name, key)
  }
  return key
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1), lower case: they belong to the
 * server, not the application. `Proxy-Connection` is the old proxies' own
 * (RFC 9113 §8.2.2 lists it among those HTTP/2 forbids).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
])

/** Whether a header is hop-by-hop (RFC 9110 §7.6.1): the server drops it when an application sets it. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase())
}

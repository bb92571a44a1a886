/**
 * The route table of a router tree: every route of the tree, children
 * included, in one find-my-way instance, so a request costs one lookup. This
 * is the only file that knows find-my-way.
 * @module
 */
import type FindMyWay from 'find-my-way'

import { lazyRequire } from '../wsgi/lazy.js'

import type { Rule } from './rule.js'

const loadFindMyWay = lazyRequire<typeof FindMyWay>('find-my-way')

/** What a path that differs from a route only by a trailing slash gets. */
export type TrailingSlash = 'redirect' | 'ignore' | 'strict'

/** One route of the table; the router fills in what it dispatches on. */
export interface TableRoute {
  readonly rule: Rule
  readonly trailingSlash: TrailingSlash
}

/** What a lookup found: the routes of that shape, in registration order, and find-my-way's parameters. */
export interface TableMatch<R extends TableRoute> {
  readonly routes: readonly R[]
  /** True when the path matched only once its trailing slash is added or removed. */
  readonly redirect: boolean
  readonly params: Readonly<Record<string, string | undefined>>
}

interface Entry<R> {
  routes: R[]
  redirect: boolean
}

const NO_QUERY = Object.freeze({})
const ESCAPES: Record<string, string> = { '%': '%25', '?': '%3F', '#': '%23' }

/**
 * The path as find-my-way must see it. PATH_INFO is already percent-decoded
 * (docs/contract.md), but find-my-way decodes what it is given and splits on
 * `?` and `#`: those three characters are escaped, so a `%2e%2e` that was
 * sent as `%252e%252e` stays the text `%2e%2e` and is never decoded twice.
 */
function findPath(path: string): string {
  return /[%?#]/.test(path) ? path.replace(/[%?#]/g, (c) => ESCAPES[c]!) : path
}

/** The same shape with its trailing slash added or removed, or `undefined` for the root. */
function otherSlash(shape: string): string | undefined {
  if (shape === '/' || shape === '/*') return undefined
  if (shape.endsWith('/*')) return shape.slice(0, -2)
  return shape.endsWith('/') ? shape.slice(0, -1) : `${shape}/`
}

/** One find-my-way tree for many routes; built once, replaced when routes change. */
export class RouteTable<R extends TableRoute> {
  readonly #tree: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>

  /** Routes in registration order; shapes shared by several routes keep that order. */
  constructor(routes: readonly R[], maxParamLength: number) {
    const entries = new Map<string, Entry<R>>()
    for (const route of routes) {
      const shape = route.rule.shape
      const entry = entries.get(shape)
      if (entry) entry.routes.push(route)
      else entries.set(shape, { routes: [route], redirect: false })
    }
    // a shape that a route has is never taken by another's slash variant
    const variants = new Map<string, Entry<R>>()
    for (const route of routes) {
      const other = route.trailingSlash === 'strict' ? undefined : otherSlash(route.rule.shape)
      if (other === undefined || entries.has(other)) continue
      const redirect = route.trailingSlash === 'redirect'
      const entry = variants.get(other)
      if (!entry) variants.set(other, { routes: [route], redirect })
      else if (entry.redirect === redirect) entry.routes.push(route)
    }
    this.#tree = loadFindMyWay()({ maxParamLength, querystringParser: () => NO_QUERY })
    const noop = () => undefined
    for (const [shape, entry] of [...entries, ...variants]) this.#tree.on('GET', shape, noop, entry)
  }

  /** The routes matching a decoded path (PATH_INFO), or `undefined`. One find-my-way lookup. */
  find(path: string): TableMatch<R> | undefined {
    if (path.charCodeAt(0) !== 47 /* / */) return undefined
    // find-my-way keeps one tree per method: shapes live under GET, methods are ours (405 needs them)
    const found = this.#tree.find('GET', findPath(path))
    if (found === null) return undefined
    const entry = found.store as Entry<R>
    return { routes: entry.routes, redirect: entry.redirect, params: found.params }
  }
}

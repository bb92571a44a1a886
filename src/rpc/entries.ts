/**
 * Finding a handler's methods: the `rpc_<name>` methods of its class (the
 * most derived wins) and the `methods` option, each made a `MethodEntry`
 * with its signature, its doc, and its schemas when it declares some.
 * @module
 */
import type { WsgiRequest } from '../wsgi/request.js'
import type { StandardSchemaV1 } from '../wsgi/schema.js'
import { type MethodEntry, checkParamSchemas, isMethodSpec, specSignature } from './method.js'
import { signatureOf } from './signature.js'

/** A JSON-RPC method: it gets the request first, then the params; it may return a promise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RpcMethod = (request: WsgiRequest, ...params: any[]) => unknown

/**
 * A method in a map: a function, or an object with a `handle` method, an
 * optional `doc`, and optionally the schemas of its params and result
 * (`rpcMethod()` makes one).
 */
export type RpcMethodLike =
  | RpcMethod
  | {
      handle: RpcMethod
      doc?: string | undefined
      params?: readonly StandardSchemaV1[] | undefined
      result?: StandardSchemaV1 | undefined
    }

/** Methods by name (no dots: those belong to sub-handlers). */
export type RpcMethods = Readonly<Record<string, RpcMethodLike>>

const PREFIX = 'rpc_'

/** Whether a value is a method: a function, or an object with a `handle` method. */
function isMethodLike(value: unknown): value is RpcMethodLike {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { handle?: unknown }).handle === 'function')
  )
}

/** The `rpc_` methods of a handler's class (the most derived wins), then the `methods` given. */
export function ownMethods(
  handler: object,
  base: object,
  methods: RpcMethods,
): Map<string, RpcMethodLike> {
  const found = new Map<string, RpcMethodLike>()
  const add = (holder: object) => {
    for (const key of Object.getOwnPropertyNames(holder)) {
      if (!key.startsWith(PREFIX) || found.has(key.slice(PREFIX.length))) continue
      const value = Object.getOwnPropertyDescriptor(holder, key)?.value as unknown
      if (isMethodLike(value)) found.set(key.slice(PREFIX.length), value)
    }
  }
  add(handler)
  for (let proto = Object.getPrototypeOf(handler) as object; proto !== base;) {
    add(proto)
    proto = Object.getPrototypeOf(proto) as object
  }
  for (const name of Object.keys(methods)) found.set(name, methods[name]!)
  return found
}

/** The static `docs` of every class from `cls` up, the most derived first. */
export function classDocs(cls: {
  docs?: Readonly<Record<string, string>>
}): Record<string, string> {
  const docs = Object.create(null) as Record<string, string>
  for (let current: typeof cls | undefined = cls; current;) {
    if (Object.hasOwn(current, 'docs'))
      for (const [name, doc] of Object.entries(current.docs ?? {})) docs[name] ??= doc
    const parent = Object.getPrototypeOf(current) as typeof cls
    current = parent === (Function.prototype as unknown) ? undefined : parent
  }
  return docs
}

/** The entry of one method: `name` is its full name, `owner` the handler it belongs to. */
export function methodEntry(
  name: string,
  method: RpcMethodLike,
  owner: object,
  doc: string | undefined,
): MethodEntry {
  const fn = typeof method === 'function' ? method : method.handle
  if (typeof fn !== 'function') throw new TypeError(`The method ${name} is not a function`)
  if (typeof method === 'function')
    return { name, fn, thisArg: owner, signature: signatureOf(fn), doc: doc ?? '' }
  const entry = { name, fn, thisArg: method, doc: method.doc ?? doc ?? '' }
  if (!isMethodSpec(method)) return { ...entry, signature: signatureOf(fn) }
  checkParamSchemas(name, method)
  const signature = specSignature(signatureOf(fn), method.params)
  return { ...entry, signature, params: method.params, result: method.result }
}

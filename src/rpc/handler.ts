/**
 * JsonRpc: pulsar's JSON-RPC handler. Methods are `rpc_<name>` methods of a
 * subclass or a plain map of functions; sub-handlers serve dotted names
 * (`calc.add`); the whole tree is served over HTTP by `handle` (as a Router
 * handler or as middleware on a path) and over any other transport by
 * `receive`.
 * @module
 */
import type { WebSocketHandler } from '../websocket/handler.js'
import type { WebSocketProtocol } from '../websocket/protocol.js'
import { WsgiRequest } from '../wsgi/request.js'
import type { WsgiResponse } from '../wsgi/response.js'
import type { Environ, StartResponse } from '../wsgi/types.js'
import { type DispatchLimits, Dispatcher, type MethodEntry } from './dispatch.js'
import { serveHttp } from './http.js'
import { signatureOf } from './signature.js'
import { RpcWebSocket } from './websocket.js'

/** A JSON-RPC method: it gets the request first, then the params; it may return a promise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RpcMethod = (request: WsgiRequest, ...params: any[]) => unknown

/** A method in a map: a function, or an object with a `handle` method and an optional `doc`. */
export type RpcMethodLike = RpcMethod | { handle: RpcMethod; doc?: string }

/** Methods by name (no dots: those belong to sub-handlers). */
export type RpcMethods = Readonly<Record<string, RpcMethodLike>>

/** How a JsonRpc handler is built. */
export interface JsonRpcOptions {
  /** Methods by name, besides the `rpc_<name>` methods of a subclass. */
  methods?: RpcMethods
  /** The path this handler answers on when it runs as middleware in a WsgiHandler. @default '/' */
  path?: string
  /** The most calls one batch may hold; a longer batch is one -32600 error. @default 100 */
  maxBatch?: number
  /** The deepest nesting of arrays and objects a message may have, the message included. @default 64 */
  maxDepth?: number
  /** The handler's title in `documentation`. @default the class name */
  title?: string
}

/** One entry of `listFunctions()`. */
export interface FunctionInfo {
  /** The full, dotted name. */
  name: string
  /** The method's documentation (`''` when it has none). */
  doc: string
  /** The names of its params, after the request. */
  params: string[]
}

/** A handler and its ancestors, up to the root. */
function lineage(handler: JsonRpc): JsonRpc[] {
  const handlers = [handler]
  for (let parent = handler.parent; parent; parent = parent.parent) handlers.push(parent)
  return handlers
}

/** Whether a value is a method: a function, or an object with a `handle` method. */
function isMethodLike(value: unknown): value is RpcMethodLike {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { handle?: unknown }).handle === 'function')
  )
}

const PREFIX = 'rpc_'
const SEPARATOR = '.'
const NAME = /^[^.\s]+$/

/**
 * A JSON-RPC 2.0 handler: pulsar's RpcHandler and JSONRPC in one class.
 * Subclass it with `rpc_<name>(request, ...params)` methods, or pass
 * `methods`; give docs with a static `docs` map or a `doc` on a method object.
 * It is a `WebSocketHandler` too: `new WebSocket('/rpc', rpc)` serves it on
 * a WebSocket route as `new RpcWebSocket(rpc)` does.
 */
export class JsonRpc implements WebSocketHandler {
  /** Documentation of the `rpc_` methods of a subclass, by method name. */
  static docs: Readonly<Record<string, string>> = {}

  /** The handler this one is a sub-handler of. */
  parent: JsonRpc | undefined
  /** The handler's title in `docs()`. */
  readonly title: string
  /** The path this handler answers on as middleware. */
  readonly path: string
  /** The batch and depth limits of the messages it dispatches. */
  readonly limits: Readonly<DispatchLimits>
  readonly #methods: RpcMethods
  readonly #subHandlers = new Map<string, JsonRpc>()
  #dispatcher: Dispatcher | undefined
  #socketHandler: RpcWebSocket | undefined

  constructor(options: JsonRpcOptions = {}) {
    const { methods = {}, path = '/', maxBatch = 100, maxDepth = 64, title } = options
    for (const name of Object.keys(methods))
      if (!NAME.test(name))
        throw new TypeError(
          `"${name}" is not a method name: no dots or spaces (dots are for sub-handlers)`,
        )
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1))
      throw new RangeError('maxBatch must be >= 1')
    if (!(Number.isInteger(maxDepth) && maxDepth >= 2))
      throw new RangeError('maxDepth must be >= 2')
    this.#methods = methods
    this.path = path
    this.limits = Object.freeze({ maxBatch, maxDepth })
    this.title = title ?? this.constructor.name
  }

  /** Serves `handler`'s methods as `<prefix>.<name>`; returns this handler, for chaining. */
  putSubHandler(prefix: string, handler: JsonRpc): this {
    if (!NAME.test(prefix)) throw new TypeError(`"${prefix}" is not a sub-handler prefix`)
    // spec §4: names beginning with "rpc." are reserved for rpc-internal methods
    if (prefix === 'rpc')
      throw new TypeError('The prefix "rpc" is reserved by the JSON-RPC specification')
    if (lineage(this).includes(handler))
      throw new TypeError('A handler cannot be its own sub-handler')
    handler.parent = this
    this.#subHandlers.set(prefix, handler)
    // the tables of every handler up the tree include the new names
    for (const ancestor of lineage(this)) ancestor.#dispatcher = undefined
    return this
  }

  /** The sub-handler of a prefix, if any. */
  getSubHandler(prefix: string): JsonRpc | undefined {
    return this.#subHandlers.get(prefix)
  }

  /** The sub-handlers by prefix. */
  get subHandlers(): ReadonlyMap<string, JsonRpc> {
    return this.#subHandlers
  }

  /** The handler at the top of the tree. */
  get root(): JsonRpc {
    return lineage(this).at(-1)!
  }

  /** Whether this handler is the top of its tree. */
  isRoot(): boolean {
    return this.parent === undefined
  }

  /** Every method of this handler and its sub-handlers, with its full name, doc and params. */
  listFunctions(): FunctionInfo[] {
    return [...this.#entries('')].map(({ name, doc, signature }) => ({
      name,
      doc,
      params: signature.names.slice(),
    }))
  }

  /** The documentation of every method, as Markdown. */
  docs(): string {
    const lines = [`# ${this.title}`, '']
    for (const { name, doc, params } of this.listFunctions())
      lines.push(`## ${name}(${params.join(', ')})`, '', doc || 'Not documented.', '')
    return lines.join('\n')
  }

  /**
   * Answers the text of one JSON-RPC message (a call, a notification or a
   * batch) for `request`: the reply's text, or `undefined` when there is
   * none. Transport-agnostic: HTTP is one user of it, WebSocket another.
   */
  async receive(text: string, request: WsgiRequest): Promise<string | undefined> {
    return (await this.#dispatch().receive(text, request)).body
  }

  /** The dispatcher of this handler's tree, built on first use. */
  #dispatch(): Dispatcher {
    return (this.#dispatcher ??= new Dispatcher(this.#entries(''), this.limits))
  }

  /**
   * Serves JSON-RPC over HTTP. Called with a WsgiRequest, it is a request
   * handler that answers whatever path routed to it
   * (`new Router('/rpc', { post: rpc })`); called with an environ, it is
   * middleware for a WsgiHandler that answers on `path` and returns
   * `undefined` for other paths, so the next middleware answers them.
   */
  handle(
    target: WsgiRequest | Environ,
    _startResponse?: StartResponse,
  ): WsgiResponse | Promise<WsgiResponse> | undefined {
    if (target instanceof WsgiRequest) return serveHttp(this.#dispatch(), target)
    if (target.PATH_INFO !== this.path) return undefined
    return serveHttp(this.#dispatch(), new WsgiRequest(target))
  }

  /** A text message of a WebSocket route: a call, a notification or a batch (see `RpcWebSocket`). */
  onMessage(ws: WebSocketProtocol, text: string): Promise<void> | undefined {
    return (this.#socketHandler ??= new RpcWebSocket(this)).onMessage(ws, text)
  }

  /** A binary message of a WebSocket route: JSON-RPC is text, so the socket closes with 1003. */
  onBytes(ws: WebSocketProtocol): void {
    ;(this.#socketHandler ??= new RpcWebSocket(this)).onBytes(ws)
  }

  /** The methods of the tree under this handler, names prefixed with `prefix`. */
  *#entries(prefix: string): Generator<MethodEntry> {
    const docs = this.#docs()
    for (const [name, method] of this.#ownMethods()) {
      const fn = typeof method === 'function' ? method : method.handle
      if (typeof fn !== 'function')
        throw new TypeError(`The method ${prefix}${name} is not a function`)
      yield {
        name: prefix + name,
        fn,
        thisArg: typeof method === 'function' ? this : method,
        signature: signatureOf(fn),
        doc: (typeof method === 'function' ? undefined : method.doc) ?? docs[name] ?? '',
      }
    }
    for (const [sub, handler] of this.#subHandlers)
      yield* handler.#entries(prefix + sub + SEPARATOR)
  }

  /** The `rpc_` methods of the class (the most derived wins), then the `methods` option. */
  #ownMethods(): Map<string, RpcMethodLike> {
    const found = new Map<string, RpcMethodLike>()
    const add = (holder: object) => {
      for (const key of Object.getOwnPropertyNames(holder)) {
        if (!key.startsWith(PREFIX) || found.has(key.slice(PREFIX.length))) continue
        const value = Object.getOwnPropertyDescriptor(holder, key)?.value as unknown
        if (isMethodLike(value)) found.set(key.slice(PREFIX.length), value)
      }
    }
    add(this)
    let proto = Object.getPrototypeOf(this) as object
    while (proto !== JsonRpc.prototype) {
      add(proto)
      proto = Object.getPrototypeOf(proto) as object
    }
    for (const name of Object.keys(this.#methods)) found.set(name, this.#methods[name]!)
    return found
  }

  /** The static `docs` of every class from this one up to JsonRpc, the most derived first. */
  #docs(): Record<string, string> {
    const docs = Object.create(null) as Record<string, string>
    for (let cls = this.constructor as typeof JsonRpc | undefined; cls;) {
      if (Object.hasOwn(cls, 'docs'))
        for (const [name, doc] of Object.entries(cls.docs)) docs[name] ??= doc
      const parent = Object.getPrototypeOf(cls) as typeof JsonRpc
      cls = parent === (Function.prototype as unknown) ? undefined : parent
    }
    return docs
  }
}

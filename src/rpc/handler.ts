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
import { isThenable } from '../wsgi/callable.js'
import { WsgiRequest } from '../wsgi/request.js'
import type { WsgiResponse } from '../wsgi/response.js'
import type { Environ, StartResponse } from '../wsgi/types.js'
import { type DispatchLimits, Dispatcher, type Reply } from './dispatch.js'
import { type RpcMethods, classDocs, methodEntry, ownMethods } from './entries.js'
import { serveHttp } from './http.js'
import { type MethodEntry, checkParamSchemas, isMethodSpec } from './method.js'
import { type OpenRpcDocument, openRpcDocument } from './openrpc.js'
import { type RpcReceiver, RpcWebSocket } from './websocket.js'

const bodyOf = (reply: Reply): string | undefined => reply.body

export type { RpcMethod, RpcMethodLike, RpcMethods } from './entries.js'

/** A handler without a methods map. */
export type NoMethods = Record<never, never>

/** The types a handler carries for its clients (`JsonProxy<typeof handler>`): never set at run time. */
export interface RpcTypes<M = NoMethods, S = NoMethods> {
  readonly methods: M
  readonly subHandlers: S
}

/** What `putSubHandler(prefix, handler)` adds to a handler's type. */
export interface WithSubHandler<P extends string, H> {
  readonly '~rpc'?: RpcTypes<NoMethods, { readonly [K in P]: H }>
}

/** How a JsonRpc handler is built. */
export interface JsonRpcOptions<M extends RpcMethods = RpcMethods> {
  /** Methods by name, besides the `rpc_<name>` methods of a subclass. @default {} */
  methods?: M & RpcMethods
  /** The path this handler answers on when it runs as middleware in a WsgiHandler. @default '/' */
  path?: string
  /** The most calls one batch may hold; a longer batch is one -32600 error. @default 100 */
  maxBatch?: number
  /** The deepest nesting of arrays and objects a message may have, the message included. @default 64 */
  maxDepth?: number
  /** The handler's title in `documentation` and in its OpenRPC document. @default the class name */
  title?: string
  /** The version of the API, in its OpenRPC document. @default '0.0.0' */
  version?: string
  /** Whether the handler answers `rpc.discover` with its tree's OpenRPC document. @default true */
  discover?: boolean
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a handler of any methods
type AnyJsonRpc = JsonRpc<any>

/** A handler and its ancestors, up to the root. */
function lineage(handler: AnyJsonRpc): AnyJsonRpc[] {
  const handlers = [handler]
  for (let parent = handler.parent; parent; parent = parent.parent) handlers.push(parent)
  return handlers
}

const SEPARATOR = '.'
const NAME = /^[^.\s]+$/

/**
 * A JSON-RPC 2.0 handler: pulsar's RpcHandler and JSONRPC in one class.
 * Subclass it with `rpc_<name>(request, ...params)` methods, or pass
 * `methods`; give docs with a static `docs` map or a `doc` on a method object.
 * It is a `WebSocketHandler` too: `new WebSocket('/rpc', rpc)` serves it on
 * a WebSocket route as `new RpcWebSocket(rpc)` does. `M` is the type of its
 * methods map, for the clients' types.
 */
export class JsonRpc<M extends RpcMethods = NoMethods> implements WebSocketHandler {
  /** Documentation of the `rpc_` methods of a subclass, by method name. */
  static docs: Readonly<Record<string, string>> = {}

  /** The types its clients see (`JsonProxy<typeof handler>`); types only, never set. */
  declare readonly '~rpc'?: RpcTypes<M>
  /** The handler this one is a sub-handler of. */
  parent: AnyJsonRpc | undefined
  /** The handler's title in `docs()`. */
  readonly title: string
  /** The path this handler answers on as middleware. */
  readonly path: string
  /** The batch and depth limits of the messages it dispatches. */
  readonly limits: Readonly<DispatchLimits>
  /** The version of the API in its OpenRPC document. */
  readonly version: string
  /** Whether it answers `rpc.discover`. */
  readonly discover: boolean
  readonly #methods: RpcMethods
  readonly #subHandlers = new Map<string, AnyJsonRpc>()
  #dispatcher: Dispatcher | undefined
  #socketHandler: RpcWebSocket | undefined

  constructor(options: JsonRpcOptions<M> = {}) {
    const { path = '/', maxBatch = 100, maxDepth = 64, title } = options
    const { version = '0.0.0', discover = true } = options
    const methods: RpcMethods = options.methods ?? {}
    for (const name of Object.keys(methods))
      if (!NAME.test(name))
        throw new TypeError(
          `"${name}" is not a method name: no dots or spaces (dots are for sub-handlers)`,
        )
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1))
      throw new RangeError('maxBatch must be >= 1')
    if (!(Number.isInteger(maxDepth) && maxDepth >= 2))
      throw new RangeError('maxDepth must be >= 2')
    for (const [name, method] of Object.entries(methods))
      if (typeof method === 'object' && isMethodSpec(method)) checkParamSchemas(name, method)
    this.#methods = methods
    this.path = path
    this.limits = Object.freeze({ maxBatch, maxDepth })
    this.title = title ?? this.constructor.name
    this.version = version
    this.discover = discover
  }

  /**
   * Serves `handler`'s methods as `<prefix>.<name>`; returns this handler,
   * for chaining, its type knowing the sub-handler (for `JsonProxy<typeof root>`).
   */
  putSubHandler<P extends string, H extends AnyJsonRpc>(
    prefix: P,
    handler: H,
  ): this & WithSubHandler<P, H> {
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
    return this as this & WithSubHandler<P, H>
  }

  /** The sub-handler of a prefix, if any. */
  getSubHandler(prefix: string): AnyJsonRpc | undefined {
    return this.#subHandlers.get(prefix)
  }

  /** The sub-handlers by prefix. */
  get subHandlers(): ReadonlyMap<string, AnyJsonRpc> {
    return this.#subHandlers
  }

  /** The handler at the top of the tree. */
  get root(): AnyJsonRpc {
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

  // receive() without its promise when every method answers at once: what the socket handler calls
  readonly #receiver: RpcReceiver = {
    receive: (text, request) => {
      const reply = this.#dispatch().receive(text, request)
      return isThenable(reply) ? reply.then(bodyOf) : reply.body
    },
  }

  /** The OpenRPC document of this handler's tree, as `rpc.discover` answers it. */
  openRpc(): OpenRpcDocument {
    return openRpcDocument({ title: this.title, version: this.version }, this.#entries(''))
  }

  /** The dispatcher of this handler's tree, built on first use. */
  #dispatch(): Dispatcher {
    if (this.#dispatcher) return this.#dispatcher
    const entries = [...this.#entries('')]
    if (this.discover) {
      let document: OpenRpcDocument | undefined
      const discover = () => (document ??= this.openRpc())
      entries.push(
        methodEntry('rpc.discover', discover, this, 'The OpenRPC document of the service.'),
      )
    }
    return (this.#dispatcher = new Dispatcher(entries, this.limits))
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
    return (this.#socketHandler ??= new RpcWebSocket(this.#receiver)).onMessage(ws, text)
  }

  /** A binary message of a WebSocket route: JSON-RPC is text, so the socket closes with 1003. */
  onBytes(ws: WebSocketProtocol): void {
    ;(this.#socketHandler ??= new RpcWebSocket(this.#receiver)).onBytes(ws)
  }

  /** The methods of the tree under this handler, names prefixed with `prefix`. */
  *#entries(prefix: string): Generator<MethodEntry> {
    const docs = classDocs(this.constructor as typeof JsonRpc)
    for (const [name, method] of ownMethods(this, JsonRpc.prototype, this.#methods))
      yield methodEntry(prefix + name, method, this, docs[name])
    for (const [sub, handler] of this.#subHandlers)
      yield* handler.#entries(prefix + sub + SEPARATOR)
  }
}

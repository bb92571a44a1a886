/**
 * The JSON-RPC clients: `JsonProxy`, where attribute access builds dotted
 * method names (`await proxy.calc.add(3, 4)`), and `JsonBatchProxy`, which
 * queues calls and sends them as one batch. Names beginning with `$` are the
 * proxies' own (`$call`, `$notify`, `$send`...); every other name is a method.
 * @module
 */
import type { ApiOf } from './api.js'
import { InternalError, RpcError, type RpcErrorObject, rpcErrorFrom } from './errors.js'
import { HttpTransport, type HttpTransportOptions, type RpcTransport } from './transport.js'
import { WebSocketTransport } from './websocket-transport.js'

/** The transport for a URL: HTTP for `http:` and `https:`, a WebSocket for `ws:` and `wss:`. */
export function transportFor(url: string | URL, options: HttpTransportOptions = {}): RpcTransport {
  const { protocol } = new URL(url)
  if (protocol === 'http:' || protocol === 'https:') return new HttpTransport(url, options)
  if (protocol === 'ws:' || protocol === 'wss:')
    return new WebSocketTransport(url, options.headers ? { headers: options.headers } : {})
  throw new TypeError(
    `No JSON-RPC transport for ${protocol} URLs: pass one as the transport option`,
  )
}

/** JSON-RPC params: positional (an array) or named (an object). */
export type RpcParams = readonly unknown[] | Readonly<Record<string, unknown>>

/**
 * The client side of a service's methods, for a typed proxy: each method
 * (nested objects are sub-handlers) returns a promise of its result. Its
 * first parameter, the request, is left out.
 */
export type Remote<M> = {
  readonly [K in keyof M]: M[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : Remote<M[K]>
}

/** The same methods on a batch proxy: each call is queued and returns its id. */
export type Queued<M> = {
  readonly [K in keyof M]: M[K] extends (...args: infer A) => unknown
    ? (...args: A) => string | number
    : Queued<M[K]>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an untyped proxy: any name is a method
type Untyped = any

/** How a proxy reaches its server. */
export interface JsonProxyOptions extends HttpTransportOptions {
  /** Milliseconds a call (or a batch) waits for its reply; then it rejects with a TimeoutError. @default 30000 */
  timeout?: number
  /** The transport; when absent, the one for the URL's scheme (HTTP). */
  transport?: RpcTransport
  /** Makes the id of each call. @default increasing integers from 1 */
  makeId?: () => string | number
}

/** The proxy's own members, beside the method names. */
export interface JsonProxyMembers {
  /** The server's URL (or the transport's description). */
  readonly $url: string
  /** Calls a method by its full name, e.g. to pass a single object as a positional param. */
  $call(method: string, params?: RpcParams): Promise<unknown>
  /** Sends a notification: the method runs, no reply comes back. */
  $notify(method: string, params?: RpcParams): Promise<void>
}

/**
 * A JsonProxy: `await proxy.calc.add(3, 4)`. Untyped (any name, any
 * result) unless given the type of the service's handler,
 * `new JsonProxy<typeof root>(url)` (its methods, sub-handlers and params
 * typed as the server declares them), or the shape of its methods, as in
 * `new JsonProxy<{ ping(): string; calc: { add(a: number, b: number): number } }>(url)`.
 */
export type JsonProxy<M = Untyped> = unknown extends M
  ? Untyped
  : Remote<ApiOf<M>> & JsonProxyMembers

/** The outcome of one call of a batch: its id, and its result or its error. */
export interface BatchResult {
  id: string | number
  result?: unknown
  error?: RpcError
}

/** The batch proxy's own members, beside the method names (whose calls queue and return the id). */
export interface JsonBatchProxyMembers {
  readonly $url: string
  /** How many calls and notifications are queued. */
  readonly $size: number
  /** Queues a call by its full name; returns its id. */
  $call(method: string, params?: RpcParams): string | number
  /** Queues a notification. */
  $notify(method: string, params?: RpcParams): void
  /** Sends the queued calls as one batch; the results come in the order the calls were queued. */
  $send(): Promise<BatchResult[]>
}

/** A JsonBatchProxy: `batch.calc.add(1, 2); batch.ping(); await batch.$send()`; typed as JsonProxy is. */
export type JsonBatchProxy<M = Untyped> = unknown extends M
  ? Untyped
  : Queued<ApiOf<M>> & JsonBatchProxyMembers

interface Message {
  jsonrpc: '2.0'
  method: string
  params?: RpcParams
  id?: string | number
}

/** Positional params, unless the only argument is a plain object: then those are named params. */
function paramsOf(args: readonly unknown[]): RpcParams | undefined {
  if (args.length === 0) return undefined
  const first = args[0]
  if (args.length === 1 && typeof first === 'object' && first !== null) {
    const proto = Object.getPrototypeOf(first) as unknown
    if (proto === Object.prototype || proto === null) return first as Record<string, unknown>
  }
  return args
}

function message(method: string, params: RpcParams | undefined, id?: string | number): Message {
  const call: Message = { jsonrpc: '2.0', method }
  if (params !== undefined) call.params = params
  if (id !== undefined) call.id = id
  return call
}

interface Response {
  id?: unknown
  result?: unknown
  error?: RpcErrorObject
}

function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What both proxies share: the transport, the ids and the timeout. */
class Connection {
  readonly transport: RpcTransport
  readonly url: string
  readonly #timeout: number
  readonly #makeId: () => string | number

  constructor(target: string | URL | RpcTransport, options: JsonProxyOptions) {
    const { timeout = 30_000, transport, makeId, ...http } = options
    if (!(timeout > 0)) throw new RangeError('timeout must be a positive number of milliseconds')
    const remote = typeof target === 'string' || target instanceof URL
    this.transport = transport ?? (remote ? transportFor(target, http) : target)
    this.url = remote ? String(target) : this.transport.constructor.name
    this.#timeout = timeout
    let last = 0
    this.#makeId = makeId ?? (() => ++last)
  }

  id(): string | number {
    return this.#makeId()
  }

  async send(body: unknown, notification: boolean): Promise<unknown> {
    const signal = AbortSignal.timeout(this.#timeout)
    const reply = await this.transport.send(JSON.stringify(body), { signal, notification })
    if (notification) return undefined
    if (reply === undefined) throw new RpcError(0, 'The server sent no reply')
    try {
      return JSON.parse(reply) as unknown
    } catch {
      throw new RpcError(0, `The server's reply is not JSON: ${reply.slice(0, 200)}`)
    }
  }
}

/** The error a response carries, as an RpcError (or a protocol error when the response is malformed). */
function errorOf(response: Response): RpcError | undefined {
  const { error } = response
  if (error === undefined) return undefined
  if (typeof error !== 'object' || error === null || typeof error.code !== 'number')
    return new RpcError(0, `Malformed error in the reply: ${JSON.stringify(error)}`)
  return rpcErrorFrom(error)
}

/** A callable proxy for the name `name`: calling it calls the method, attributes go deeper. */
function namespace<R>(
  name: string,
  call: (method: string, args: unknown[]) => R,
  own: (key: string) => unknown,
): unknown {
  return new Proxy(function method() {}, {
    get(_target, key) {
      // not thenable (so `await proxy` works), and no symbols (inspection, coercion)
      if (typeof key === 'symbol' || key === 'then') return undefined
      if (key.startsWith('$')) return own(key)
      return namespace(name ? `${name}.${key}` : key, call, own)
    },
    apply(_target, _this, args: unknown[]) {
      if (!name) throw new TypeError('Call a method of the proxy, e.g. proxy.ping()')
      return call(name, args)
    },
  })
}

/**
 * Makes a JSON-RPC client for `url` (or a transport): attribute access
 * builds dotted names, a call sends positional params, or named params when
 * its one argument is a plain object; an error reply throws an RpcError
 * (InvalidParams, NoSuchFunction...) with the code, message and data.
 */
export const JsonProxy = function JsonProxy(
  target: string | URL | RpcTransport,
  options: JsonProxyOptions = {},
): JsonProxy<Untyped> {
  const connection = new Connection(target, options)
  const call = async (method: string, params: RpcParams | undefined): Promise<unknown> => {
    const id = connection.id()
    const response = await connection.send(message(method, params, id), false)
    if (!isResponse(response)) throw new RpcError(0, 'The reply is not a JSON-RPC response')
    const error = errorOf(response)
    if (error) throw error
    if (response.id !== id)
      throw new RpcError(0, `The reply is for id ${JSON.stringify(response.id)}, not ${id}`)
    return response.result
  }
  const members: Record<string, unknown> = {
    $url: connection.url,
    $call: call,
    $notify: async (method: string, params?: RpcParams) => {
      await connection.send(message(method, params), true)
    },
  }
  return namespace(
    '',
    (method, args) => call(method, paramsOf(args)),
    (key) => members[key],
  )
} as unknown as new <M = Untyped>(
  target: string | URL | RpcTransport,
  options?: JsonProxyOptions,
) => JsonProxy<M>

/**
 * Makes a batch client: calls queue (each returns its id) until `$send()`
 * sends them as one batch and matches the replies to the calls by id.
 */
export const JsonBatchProxy = function JsonBatchProxy(
  target: string | URL | RpcTransport,
  options: JsonProxyOptions = {},
): JsonBatchProxy<Untyped> {
  const connection = new Connection(target, options)
  let queue: Message[] = []
  const enqueue = (method: string, params: RpcParams | undefined): string | number => {
    const id = connection.id()
    queue.push(message(method, params, id))
    return id
  }
  const send = async (): Promise<BatchResult[]> => {
    const calls = queue
    queue = []
    if (calls.length === 0) return []
    const ids = calls.flatMap((call) => (call.id === undefined ? [] : [call.id]))
    const reply = await connection.send(calls, ids.length === 0)
    if (ids.length === 0) return []
    if (!Array.isArray(reply)) {
      // the whole batch was refused (too large, too deep, not JSON...)
      throw (isResponse(reply) && errorOf(reply)) || new RpcError(0, 'The reply is not a batch')
    }
    const byId = new Map<unknown, Response>()
    for (const response of reply) if (isResponse(response)) byId.set(response.id, response)
    return ids.map((id): BatchResult => {
      const response = byId.get(id)
      if (response === undefined)
        return { id, error: new InternalError('The server sent no reply for this call') }
      const error = errorOf(response)
      return error ? { id, error } : { id, result: response.result }
    })
  }
  const members: Record<string, unknown> = {
    $url: connection.url,
    $call: enqueue,
    $notify: (method: string, params?: RpcParams) => {
      queue.push(message(method, params))
    },
    $send: send,
  }
  return namespace(
    '',
    (method, args) => enqueue(method, paramsOf(args)),
    (key) => (key === '$size' ? queue.length : members[key]),
  )
} as unknown as new <M = Untyped>(
  target: string | URL | RpcTransport,
  options?: JsonProxyOptions,
) => JsonBatchProxy<M>

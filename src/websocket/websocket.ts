/**
 * WebSocket: pulsar's WebSocket route, a middleware that answers GET
 * handshakes on its rule (pulsar's rule syntax, `urlargs` as the Router
 * fills them) and hands each opened socket to its handler.
 * @module
 */
import { Http404, MethodNotAllowed, ServiceUnavailable } from '../wsgi/errors.js'
import { WsgiRequest } from '../wsgi/request.js'
import type { Body, Environ, ServerHandle, StartResponse } from '../wsgi/types.js'
import { Rule } from '../router/rule.js'
import { RouteTable, type TableRoute } from '../router/table.js'
import { Engine, loadEngine } from './engine.js'
import type { WebSocketHandler } from './handler.js'
import { WebSocketHandshake, checkHandshake, checkOrigin, selectProtocol } from './handshake.js'
import { answeredConsumer, handshakeRecord } from './handshake-record.js'
import { SocketHub } from './hub.js'
import { type ResolvedOptions, type WebSocketOptions, resolveOptions } from './options.js'
import { type SocketContext, WebSocketProtocol } from './protocol.js'

/**
 * A WebSocket route: `new WebSocket('/chat/<room>', handler, options)`, put
 * among the middleware of a `WsgiHandler` (or served on its own). The
 * handshake runs through the whole chain like any request, so middleware
 * before it can refuse it with an HTTP answer, and response middleware can
 * add headers to the 101.
 *
 * - a path the rule does not match: not this route's (`undefined`); a
 *   value that does not convert: 404;
 * - a method other than GET: 405 with `Allow: GET`;
 * - not a handshake, a bad key, version (400, with `Sec-WebSocket-Version:
 *   13`), subprotocol or extension header: 400;
 * - an `Origin` the options refuse: 403; a server shutting down: 503.
 */
export class WebSocket {
  /** The rule as given. */
  readonly rule: string
  /** The callbacks the sockets of this route are handed to. */
  readonly handler: WebSocketHandler
  readonly #rule: Rule
  readonly #table: RouteTable<TableRoute>
  readonly #options: ResolvedOptions
  readonly #hub: SocketHub
  // one per server the route serves: its logger, and its shutdown closes its sockets
  readonly #contexts = new WeakMap<ServerHandle, SocketContext>()
  #engine: Engine | undefined

  /** `handler`: a `WebSocketHandler` (a `WS`, a `JsonRpc`, a `PubSubWS`...). */
  constructor(rule: string, handler: WebSocketHandler, options: WebSocketOptions = {}) {
    if (typeof handler !== 'object' || handler === null)
      throw new TypeError('A WebSocket handler must be an object (a WS instance, for example)')
    this.rule = rule
    this.handler = handler
    this.#rule = new Rule(rule)
    this.#options = resolveOptions(options)
    // the handshake is an upgrade, which clients do not redirect: a trailing slash is ignored
    this.#table = new RouteTable(
      [{ rule: this.#rule, trailingSlash: 'ignore' }],
      this.#options.maxParamLength,
    )
    this.#hub = new SocketHub(this.#options.heartbeatMs)
    loadEngine()
  }

  /** The open sockets of this route (to broadcast, say). */
  get sockets(): ReadonlySet<WebSocketProtocol> {
    return this.#hub.sockets
  }

  /** The path of this route for `urlargs`: `new WebSocket('/chat/<room>', h).path({ room: 'a' })` gives `/chat/a`. */
  path(urlargs: Readonly<Record<string, unknown>> = {}): string {
    return this.#rule.url(urlargs)
  }

  /** Closes every open socket of this route with `code` (1001, going away, by default). */
  closeAll(code = 1001, reason = ''): void {
    this.#hub.closeAll(undefined, code, reason)
  }

  /** The middleware: answers a handshake on the rule, `undefined` for other paths. */
  handle(
    environ: Environ,
    _startResponse?: StartResponse,
  ): Body | undefined | Promise<Body | undefined> {
    const match = this.#table.find(environ.PATH_INFO)
    if (match === undefined) return undefined
    const urlargs = this.#rule.convert(match.params)
    if (urlargs === undefined) throw new Http404()
    if (environ.REQUEST_METHOD !== 'GET') throw new MethodNotAllowed(['GET'])
    const options = this.#options
    const offered = checkHandshake(environ, options)
    const connection = environ['pulsar.connection']
    // pulsar's answer when the request did not come on a connection that can switch (an in-process call)
    if (connection.upgrade === undefined) throw new Http404('No connection to upgrade')
    if (connection.server?.closing) throw new ServiceUnavailable('The server is shutting down')
    const request = new WsgiRequest(environ, urlargs)
    const checked = checkOrigin(environ, options)
    if (checked === undefined) return this.#handshake(request, offered)
    return checked.then(() => this.#handshake(request, offered))
  }

  #handshake(request: WsgiRequest, offered: readonly string[]): WebSocketHandshake {
    const protocol = selectProtocol(offered, request, this.#options)
    return new WebSocketHandshake((environ, headers) => {
      const upgrade = environ['pulsar.connection'].takeOver()
      const context = this.#context(environ['pulsar.connection'].server!)
      const engine = (this.#engine ??= new Engine(this.#options))
      const record = handshakeRecord(request, context.consumer)
      const socket = new WebSocketProtocol(record, upgrade.socket, context)
      WebSocketProtocol.open(socket, (events) =>
        engine.accept(upgrade, protocol, headers, events, socket),
      )
    })
  }

  #context(server: ServerHandle): SocketContext {
    let context = this.#contexts.get(server)
    if (context === undefined) {
      context = {
        handler: this.handler,
        options: this.#options,
        hub: this.#hub,
        logger: server.logger,
        consumer: answeredConsumer(server.logger),
      }
      this.#contexts.set(server, context)
      server.onClose(() => this.#hub.closeAll(server, 1001, 'Server shutting down'))
    }
    return context
  }
}

/**
 * The one file that knows ws: a `WebSocketServer` in `noServer` mode per
 * WebSocket route (the 101, framing, masking, UTF-8, limits, deflate), the
 * header parsers ws ships (so a header ws would refuse is refused earlier, by
 * the WSGI chain), and ws's client for `JsonProxy('ws://...')`.
 * @module
 */
import type { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'

import type * as ws from 'ws'

import { lazyRequire } from '../wsgi/lazy.js'
import type { Upgrade } from '../wsgi/types.js'
import { type OfferParams, PERMESSAGE_DEFLATE, negotiateDeflate } from './deflate.js'
import type { DeflateOptions, ResolvedOptions } from './options.js'
import type { EngineEvents, EngineSocket } from './transport.js'

/** ws, with the header parsers it ships but its type definitions do not declare. */
const loadWs = lazyRequire<
  typeof ws & {
    subprotocol: { parse(header: string): Set<string> }
    extension: { parse(header: string): Record<string, OfferParams[] | undefined> }
  }
>('ws')

const kEvents = Symbol('pulsar.websocket.events')
const kOwner = Symbol('pulsar.websocket.owner')
const kSocket = Symbol('pulsar.websocket.socket')
type Tagged = ws.WebSocket & { [kEvents]: EngineEvents<unknown>; [kOwner]: unknown }
// ws's frame parser, which its types do not declare: it tells of the peer's close frame
type Receiver = EventEmitter & { [kSocket]: Tagged }

// shared listeners (the emitter is `this`): no closure per socket
function onMessage(this: ws.WebSocket, data: Buffer, isBinary: boolean): void {
  const socket = this as Tagged
  socket[kEvents].message(socket[kOwner], data, isBinary)
}
function onPing(this: ws.WebSocket, data: Buffer): void {
  const socket = this as Tagged
  socket[kEvents].ping(socket[kOwner], data)
}
function onPong(this: ws.WebSocket, data: Buffer): void {
  const socket = this as Tagged
  socket[kEvents].pong(socket[kOwner], data)
}
/**
 * The peer's close frame. ws answers it with its own `close()` right after
 * this listener, and sends nothing more once it has: when the owner still
 * has messages to handle, that answer is held back, and the owner calls
 * `close()` itself when it is done.
 */
function onConclude(this: Receiver, code: number, reason: Buffer): void {
  const socket = this[kSocket]
  if (socket[kEvents].closing(socket[kOwner], code, reason.toString())) socket.close = holdAnswer
}
function holdAnswer(this: Tagged): void {
  // once: the next close() is ws's again
  Reflect.deleteProperty(this, 'close')
}
function onClose(this: ws.WebSocket, code: number, reason: Buffer): void {
  const socket = this as Tagged
  socket[kEvents].close(socket[kOwner], code, reason.toString())
}
function onError(this: ws.WebSocket, error: Error): void {
  const socket = this as Tagged
  socket[kEvents].error(socket[kOwner], error)
}

/**
 * ws's WebSocket for the sockets a route accepts (ws's `WebSocket` option):
 * its events go straight to the owner, with no listener to keep per socket.
 */
let ServerSocket: typeof ws.WebSocket | undefined
function serverSocketClass(): typeof ws.WebSocket {
  return (ServerSocket ??= class ServerSocket extends loadWs().WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const socket = this as unknown as Tagged
      const events = socket[kEvents] as EngineEvents<unknown> | undefined
      if (events === undefined) return super.emit(event, ...args)
      const owner = socket[kOwner]
      if (event === 'message') events.message(owner, args[0] as Buffer, args[1] as boolean)
      else if (event === 'ping') events.ping(owner, args[0] as Buffer)
      else if (event === 'pong') events.pong(owner, args[0] as Buffer)
      else if (event === 'close') events.close(owner, args[0] as number, String(args[1]))
      else if (event === 'error') events.error(owner, args[0] as Error & { code?: string })
      else return super.emit(event, ...args)
      return true
    }
  } as typeof ws.WebSocket)
}

function listen<Owner>(
  socket: ws.WebSocket,
  events: EngineEvents<Owner>,
  owner: Owner,
): EngineSocket {
  const tagged = socket as Tagged
  tagged[kEvents] = events
  tagged[kOwner] = owner
  // a route's sockets call the owner from emit(); a client's listen as usual
  if (!(socket instanceof serverSocketClass())) {
    tagged.on('message', onMessage)
    tagged.on('ping', onPing)
    tagged.on('pong', onPong)
    tagged.on('close', onClose)
    tagged.on('error', onError)
  }
  const receiver = (socket as unknown as { _receiver: Receiver })._receiver
  receiver[kSocket] = tagged
  receiver.prependListener('conclude', onConclude)
  return tagged
}

/** Loads ws now (a route is built at startup), so the first handshake does not wait for it. */
export function loadEngine(): void {
  loadWs()
}

/** The subprotocols a `Sec-WebSocket-Protocol` header offers, in order; throws when it is malformed. */
export function parseProtocols(header: string): string[] {
  return [...loadWs().subprotocol.parse(header)]
}

/** Throws when a `Sec-WebSocket-Extensions` header is malformed. */
export function checkExtensions(header: string): void {
  loadWs().extension.parse(header)
}

/** What the handshake adds to the 101 that ws writes. */
interface Pending {
  protocol: string | undefined
  headers: readonly string[]
}

/** A WebSocket route's engine: turns an upgrade the WSGI chain accepted into an open connection. */
export class Engine {
  readonly #server: ws.WebSocketServer
  readonly #deflate: Required<DeflateOptions> | false
  #pending: Pending | undefined

  constructor(options: ResolvedOptions) {
    const deflate = (this.#deflate = options.perMessageDeflate)
    this.#server = new (loadWs().WebSocketServer)({
      noServer: true,
      clientTracking: false,
      WebSocket: serverSocketClass(),
      maxPayload: options.maxPayload,
      // the handler's onPing answers (its default pongs)
      autoPong: false,
      closeTimeout: options.closeTimeoutMs,
      // negotiateDeflate() chose the parameters and accept() offers ws only
      // those: with no window or context setting of its own, ws takes them as they are
      perMessageDeflate: deflate && {
        zlibDeflateOptions: { level: deflate.level, memLevel: deflate.memLevel },
        threshold: deflate.threshold,
        concurrencyLimit: deflate.concurrencyLimit,
      },
      // the handshake chose already: ws asks during accept(), synchronously
      handleProtocols: () => this.#pending?.protocol ?? false,
    } as ws.ServerOptions)
    this.#server.on('headers', (headers: string[]) => {
      if (this.#pending) headers.push(...this.#pending.headers)
    })
  }

  /**
   * Writes the 101 (with `headers`, lines of `Name: value`) and opens the
   * connection; `undefined` when the client went away meanwhile (the socket
   * is then destroyed).
   */
  accept<Owner>(
    upgrade: Upgrade,
    protocol: string | undefined,
    headers: readonly string[],
    events: EngineEvents<Owner>,
    owner: Owner,
  ): EngineSocket | undefined {
    let opened: ws.WebSocket | undefined
    const requestHeaders = upgrade.request.headers
    const offers = requestHeaders['sec-websocket-extensions']
    if (this.#deflate && offers !== undefined) {
      // the handshake checked that the header parses
      const answer = negotiateDeflate(
        loadWs().extension.parse(offers)[PERMESSAGE_DEFLATE] ?? [],
        this.#deflate,
      )
      if (answer === undefined) delete requestHeaders['sec-websocket-extensions']
      else requestHeaders['sec-websocket-extensions'] = answer
    }
    this.#pending = { protocol, headers }
    try {
      this.#server.handleUpgrade(
        upgrade.request,
        upgrade.socket,
        upgrade.head,
        (socket) => (opened = socket),
      )
    } finally {
      this.#pending = undefined
    }
    return opened && listen(opened, events, owner)
  }
}

/** Options of a client connection. */
export interface ClientOptions {
  protocols?: readonly string[]
  headers?: Record<string, string>
  maxPayload: number
  /** Milliseconds the handshake may take. */
  handshakeTimeout: number
}

/** A client connection: the engine's socket and the TCP socket under it (to ref and unref). */
export interface ClientConnection {
  socket: EngineSocket
  tcp: Socket
}

/** Opens a client connection to a `ws://` or `wss://` URL; rejects when the handshake fails. */
export function connect<Owner>(
  url: string,
  options: ClientOptions,
  events: EngineEvents<Owner>,
  owner: Owner,
): Promise<ClientConnection> {
  return new Promise((resolve, reject) => {
    const socket = new (loadWs().WebSocket)(url, options.protocols ? [...options.protocols] : [], {
      headers: options.headers ?? {},
      maxPayload: options.maxPayload,
      handshakeTimeout: options.handshakeTimeout,
      perMessageDeflate: false,
    })
    let tcp: Socket | undefined
    socket.once('upgrade', (response) => (tcp = response.socket))
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate()
      reject(new Error(`The WebSocket handshake was answered ${String(response.statusCode)}`))
    })
    const failed = (error: Error) => reject(error)
    socket.once('error', failed)
    socket.once('open', () => {
      socket.off('error', failed)
      resolve({ socket: listen(socket, events, owner), tcp: tcp! })
    })
  })
}

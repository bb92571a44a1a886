/**
 * A worker's side of the arbiter's supervision: a stop heeded from the
 * worker's first moment, heartbeats that carry its counts, retiring after
 * `max_requests`, and a graceful stop when told.
 * @module
 */
import cluster from 'node:cluster'
import type { ServerHttp2Session } from 'node:http2'

import type { Gateway } from '../server/server.js'
import type { ClusterInfo } from '../wsgi/types.js'
import type { ToArbiter, ToWorker } from './messages.js'

/** Milliseconds between heartbeats: a quarter of the timeout, so one late beat is not fatal. */
export function heartbeatInterval(timeout: number): number {
  return Math.min(Math.max(timeout * 250, 50), 10_000)
}

let asked = 0
const pending = new Map<number, (info: ClusterInfo | undefined) => void>()

/** Asks the arbiter for the state of every worker; `undefined` when not a worker or no answer in 1 s. */
export function askCluster(): Promise<ClusterInfo | undefined> {
  if (!cluster.isWorker || !process.connected) return Promise.resolve(undefined)
  const ask = ++asked
  return new Promise((resolve) => {
    const timer = setTimeout(() => answer(undefined), 1000)
    const answer = (info: ClusterInfo | undefined) => {
      clearTimeout(timer)
      pending.delete(ask)
      resolve(info)
    }
    pending.set(ask, answer)
    send({ pulsar: 'info', ask })
  })
}

function send(message: ToArbiter): void {
  if (process.connected) process.send!(message)
}

/** The server, once it listens: until then a stop has nothing to drain. */
let serving: Gateway | undefined
let stopping = false
let heartbeat: NodeJS.Timeout | undefined

function stop(): void {
  if (stopping) return
  stopping = true
  // not listening yet: there is nothing to drain, and it must never listen
  if (!serving) process.exit(0)
  clearInterval(heartbeat)
  void serving.close().then(() => process.exit(0))
}

/**
 * Heeds the arbiter from now on, and tells it so (`ready`): its stop
 * message, SIGTERM, or the loss of the arbiter stop the worker, at any
 * point of its life. Call it before anything else a worker does.
 */
export function heedArbiter(): void {
  process.on('message', (message: ToWorker) => {
    if (message.pulsar === 'stop') stop()
    else if (message.pulsar === 'info') pending.get(message.ask)?.(message.info)
  })
  // the arbiter is gone, or a signal came to this worker alone
  process.on('disconnect', stop)
  process.on('SIGTERM', stop)
  // Ctrl-C reaches the whole process group: the arbiter decides what happens
  process.on('SIGINT', () => undefined)
  send({ pulsar: 'ready' })
}

/** Serves as a worker of the arbiter (after `heedArbiter()`): listens, unless told to stop first, and beats. */
export async function serveAsWorker(server: Gateway): Promise<void> {
  const { cfg } = server
  const beat = () =>
    send({ pulsar: 'heartbeat', requests: server.requests, connections: server.connections })
  beat()
  heartbeat = setInterval(beat, heartbeatInterval(cfg.timeout))
  await server.listen()
  // no macrotask since listen() resolved: a stop could not come in between
  serving = server
  if (cfg.max_requests > 0) {
    // jitter, so workers started together do not all retire together
    const limit = cfg.max_requests + Math.floor(Math.random() * cfg.max_requests * 0.1)
    let retired = false
    // each listener is added after the gateway's, which counted the request
    const counting = () => {
      if (retired || server.requests < limit) return
      retired = true
      server.httpServer!.off('request', counting)
      server.http2Server?.off('session', watchSession)
      send({ pulsar: 'retire' })
    }
    // an HTTP/2 request is a stream of a session, never a 'request' of the server that listens
    const watchSession = (session: ServerHttp2Session) => session.on('stream', counting)
    server.httpServer!.on('request', counting)
    server.http2Server?.on('session', watchSession)
  }
}

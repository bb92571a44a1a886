/**
 * Real servers on 127.0.0.1, port 0, for end-to-end tests. Every server a
 * test starts is closed after it, whatever happened.
 */
import { afterEach } from 'vitest'

import { type Callable, type ServerOptions, WSGIServer, type WsgiApp } from 'pulsar-ts'

import { type CapturingLogger, capturingLogger } from './logger.js'

export interface Served {
  server: WSGIServer
  url: string
  port: number
  log: CapturingLogger
}

const open = new Set<WSGIServer>()

afterEach(async () => {
  const servers = [...open]
  open.clear()
  await Promise.all(servers.map((server) => server.close()))
})

/** Starts `app` on a free loopback port with a capturing logger. */
export async function serve(app: Callable<WsgiApp>, options: ServerOptions = {}): Promise<Served> {
  const log = capturingLogger()
  const server = new WSGIServer(app, {
    bind: '127.0.0.1:0',
    graceful_timeout: 2,
    logger: log.logger,
    ...options,
  })
  open.add(server)
  await server.listen()
  const url = server.url!
  return { server, url, port: Number(new URL(url).port), log }
}

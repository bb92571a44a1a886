/**
 * Round trips over WebSockets, driven by bench/ws-client.c: a C client on
 * epoll, compiled with the machine's `cc` into bench/.build/ (git-ignored)
 * the first time, and again whenever the source is newer. A client in the
 * bench's own process (ws's, in JavaScript) cost about as much CPU as the
 * server it loaded, so the client, not the server, set the pace.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { WebSocket } from 'ws'

import type { Load } from './lib.js'
import type { ServerProcess } from './process.js'

const SOURCE = fileURLToPath(new URL('ws-client.c', import.meta.url))
const BUILD = fileURLToPath(new URL('.build/', import.meta.url))
const BINARY = `${BUILD}ws-client`

/** The client's path, compiled first when missing or older than its source. */
export function wsClient(): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY
  mkdirSync(BUILD, { recursive: true })
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', BINARY, SOURCE], { stdio: 'inherit' })
  } catch (error) {
    throw new Error(`the WebSocket suites need a C compiler: cc failed on ${SOURCE}`, {
      cause: error,
    })
  }
  return BINARY
}

/**
 * `connections` sockets to `path`, each sending `message` and waiting for
 * `expected` before sending again, for `seconds`; throws unless every reply
 * was `expected`.
 */
export function roundTrips(
  server: ServerProcess,
  path: string,
  connections: number,
  seconds: number,
  message: string,
  expected: string,
): Promise<Load> {
  const args = [String(server.port), path, String(connections), String(seconds), message, expected]
  return new Promise((resolve, reject) => {
    execFile(wsClient(), args, { timeout: (seconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${server.name}: ${stderr.trim() || error.message}`))
      const result = JSON.parse(stdout) as {
        trips: number
        wrong: number
        seconds: number
        cpu: number
      }
      const { trips, wrong } = result
      if (wrong || !trips)
        return reject(new Error(`${server.name}: ${wrong} of ${trips + wrong} replies were wrong`))
      resolve({ count: trips, seconds: result.seconds, clientCpu: result.cpu })
    })
  })
}

/** One round trip with ws's client, a second implementation, before loading: throws unless the reply is `expected`. */
export function checkReply(
  server: ServerProcess,
  path: string,
  message: string,
  expected: string,
): Promise<void> {
  const url = `ws://127.0.0.1:${server.port}${path}`
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 })
    const timer = setTimeout(() => socket.terminate(), 10_000)
    let reply: string | undefined
    socket.once('open', () => socket.send(message))
    socket.once('message', (data: Buffer, isBinary) => {
      reply = isBinary ? `(binary) ${data.toString('hex')}` : data.toString()
      socket.close(1000)
    })
    socket.once('error', reject)
    socket.once('close', () => {
      clearTimeout(timer)
      if (reply === expected) resolve()
      else
        reject(
          new Error(
            `${server.name} answered ${JSON.stringify(message)} with ${JSON.stringify(reply ?? 'nothing')}, not ${JSON.stringify(expected)}`,
          ),
        )
    })
  })
}

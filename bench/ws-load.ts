/**
 * A small WebSocket load client (autocannon speaks HTTP only): echo round
 * trips on many connections, and the server's memory per idle socket.
 * Traffic only ever goes to the loopback servers the bench started.
 */
import { WebSocket } from 'ws'

import { get } from './lib.js'

/** The ws:// URL of `path` on an http:// server. */
export function wsUrl(url: string, path: string): string {
  return new URL(path, url).href.replace(/^http/, 'ws')
}

/** Opens one client connection; rejects if the handshake fails. */
function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 })
    socket.once('open', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Opens `count` connections, `batch` handshakes at a time (a burst would overflow the listen queue). */
export async function connectMany(url: string, count: number, batch = 200): Promise<WebSocket[]> {
  const sockets: WebSocket[] = []
  try {
    while (sockets.length < count) {
      const size = Math.min(batch, count - sockets.length)
      sockets.push(...(await Promise.all(Array.from({ length: size }, () => connect(url)))))
    }
  } catch (error) {
    await closeAll(sockets)
    throw error
  }
  return sockets
}

/** Closes every socket, each cut after 5 s if the server does not answer its close. */
export function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve()
          const timer = setTimeout(() => socket.terminate(), 5000)
          socket.once('close', () => {
            clearTimeout(timer)
            resolve()
          })
          socket.close(1000)
        }),
    ),
  ).then(() => undefined)
}

/**
 * Echo round trips per second: each connection sends `message`, waits for
 * the echo (which must be the same text), and sends again, for `seconds`.
 */
export async function echoRate(
  url: string,
  path: string,
  connections: number,
  seconds: number,
  message: string,
): Promise<number> {
  const sockets = await connectMany(wsUrl(url, path), connections)
  let trips = 0
  let wrong = 0
  let running = true
  const started = performance.now()
  for (const socket of sockets) {
    socket.on('message', (data: Buffer) => {
      if (data.toString() === message) trips++
      else wrong++
      if (running) socket.send(message)
    })
    socket.send(message)
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  running = false
  const elapsed = (performance.now() - started) / 1000
  await closeAll(sockets)
  if (wrong) throw new Error(`${url}${path}: ${wrong} echoes differed from what was sent`)
  return trips / elapsed
}

interface Memory {
  rss: number
  heapUsed: number
  external: number
}

async function memory(url: string): Promise<Memory> {
  const response = await get(url, '/memory')
  if (response.status !== 200) throw new Error(`${url}/memory answered ${response.status}`)
  return JSON.parse(response.body.toString()) as Memory
}

/** What one idle socket costs the server, in bytes. */
export interface IdleCost {
  /** JavaScript heap and the buffers outside it (`heapUsed + external`), after a full GC. */
  heap: number
  /** Resident set size: everything the process holds, native memory included; noisier. */
  rss: number
}

/** Opens `count` sockets, lets them sit idle, and divides the server's growth in memory by `count`. */
export async function idleCost(url: string, path: string, count: number): Promise<IdleCost> {
  const before = await memory(url)
  const sockets = await connectMany(wsUrl(url, path), count)
  try {
    await new Promise((resolve) => setTimeout(resolve, 500))
    const after = await memory(url)
    return {
      heap: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
      rss: (after.rss - before.rss) / count,
    }
  } finally {
    await closeAll(sockets)
  }
}

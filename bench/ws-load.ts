/**
 * Many WebSocket clients in the bench's process (ws's client): the
 * subscribers of the fan-out suite and the idle sockets of the idle-memory
 * suite, where what the client costs does not matter. Traffic only ever
 * goes to the loopback servers the bench started.
 */
import { WebSocket } from 'ws'

/** The ws:// URL of `path` on an http:// server. */
export function wsUrl(url: string, path: string): string {
  return new URL(path, url).href.replace(/^http/, 'ws')
}

/** Opens one client connection, with these handshake headers; rejects if the handshake fails. */
function connect(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      headers,
    })
    socket.once('open', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/**
 * Opens `count` connections, `batch` handshakes at a time (a burst would
 * overflow the listen queue); `headers(i)` are the handshake headers of the
 * i-th socket.
 */
export async function connectMany(
  url: string,
  count: number,
  headers: (i: number) => Record<string, string> = () => ({}),
  batch = 200,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = []
  try {
    while (sockets.length < count) {
      const size = Math.min(batch, count - sockets.length)
      const start = sockets.length
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: size }, (_, k) => connect(url, headers(start + k))),
        )),
      )
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

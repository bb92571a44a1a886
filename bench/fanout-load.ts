/**
 * The fan-out load client: many subscribed sockets, one message published
 * over HTTP, and the time until the last socket has it. Plain WebSockets
 * and socket.io (its websocket transport, spoken by hand: engine.io v4) are
 * read the same way, by comparing each frame with the one expected, so the
 * client costs every server the same.
 * Traffic only ever goes to the loopback servers the bench started.
 */
import type { WebSocket } from 'ws'

import { get } from './http-load.js'
import { connectMany, wsUrl } from './ws-load.js'

/** How a subscriber speaks to a server. */
export interface Protocol {
  path: string
  /** What must happen once open before broadcasts reach the socket. */
  join(socket: WebSocket): Promise<void>
  /** The frame that carries `message`. */
  frame(message: string): string
}

/** A plain WebSocket: the message is the frame. */
export const plainSocket: Protocol = {
  path: '/feed',
  join: () => Promise.resolve(),
  frame: (message) => message,
}

/** socket.io: `40` joins the main namespace (answered with `40{...}`), `42["message", ...]` is an event, `2` a ping. */
export const socketIo: Protocol = {
  path: '/socket.io/?EIO=4&transport=websocket',
  join: (socket) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('socket.io did not accept the connection')),
        10_000,
      )
      // the server's open packet (`0{...}`) came with the connection: join at once
      const joining = (data: Buffer) => {
        if (!data.toString().startsWith('40')) return
        clearTimeout(timer)
        socket.off('message', joining)
        // answer the server's pings (every 25 s), reading no more of other frames than a byte
        socket.on('message', (frame: Buffer) => {
          if (frame.length === 1 && frame[0] === 0x32) socket.send('3')
        })
        resolve()
      }
      socket.on('message', joining)
      socket.send('40')
    }),
  frame: (message) => `42${JSON.stringify(['message', message])}`,
}

/** Opens `count` subscribers to `url` and waits until each has joined. */
export async function subscribers(
  url: string,
  protocol: Protocol,
  count: number,
): Promise<WebSocket[]> {
  const sockets = await connectMany(wsUrl(url, protocol.path), count)
  await Promise.all(sockets.map((socket) => protocol.join(socket)))
  return sockets
}

/** Publishes `message` with `POST /publish`; milliseconds until every socket received it. */
export async function fanOut(
  url: string,
  sockets: readonly WebSocket[],
  protocol: Protocol,
  message: string,
): Promise<number> {
  const expected = protocol.frame(message)
  let left = sockets.length
  let finish!: (at: number) => void
  const finished = new Promise<number>((resolve) => (finish = resolve))
  const received = (data: Buffer) => {
    if (data.toString() === expected && --left === 0) finish(performance.now())
  }
  for (const socket of sockets) socket.on('message', received)
  try {
    const started = performance.now()
    const response = await get(url, '/publish', { method: 'POST', body: message })
    if (response.status !== 204) throw new Error(`${url}/publish answered ${response.status}`)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${url}: ${left} of ${sockets.length} sockets missed a message`)),
        10_000,
      )
    })
    const ended = await Promise.race([finished, timeout]).finally(() => clearTimeout(timer))
    return ended - started
  } finally {
    for (const socket of sockets) socket.off('message', received)
  }
}

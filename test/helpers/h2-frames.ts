/**
 * A raw HTTP/2 client over a TCP socket, for the frame sequences node:http2's
 * client never sends: a stream reset in the packet that opened it, DATA past
 * a content-length. It writes frames as given, acknowledges the server's
 * SETTINGS, and keeps what came back (RST_STREAM codes, GOAWAY, HEADERS).
 * Every socket is closed after each test.
 */
import { type Socket, connect } from 'node:net'
import { afterEach } from 'vitest'

const sockets = new Set<Socket>()

afterEach(() => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
})

/** Frame types (RFC 9113 §6). */
export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7 } as const
/** Frame flags (RFC 9113 §6). */
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

/** One frame: its 9-byte header, then the payload. */
export function frame(
  type: number,
  flags: number,
  stream: number,
  payload: Uint8Array = Buffer.alloc(0),
): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}

/** An RST_STREAM frame with `code`. */
export function rstStream(stream: number, code: number): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeUInt32BE(code, 0)
  return frame(FrameType.RST_STREAM, 0, stream, payload)
}

// a string of HPACK (RFC 7541 §5.2), not Huffman-coded; tests send short ones only
function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1')
  if (bytes.length > 126)
    throw new RangeError('Header strings longer than 126 bytes are not needed')
  return Buffer.concat([Buffer.from([bytes.length]), bytes])
}

/**
 * A header block of literal fields without indexing (RFC 7541 §6.2.2), in
 * order: pseudo-headers first, as the caller lists them.
 */
export function headerBlock(fields: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(fields).flatMap(([name, value]) => [
      Buffer.from([0]),
      hpackString(name),
      hpackString(value),
    ]),
  )
}

/** A HEADERS frame for a request: `END_HEADERS`, and `END_STREAM` when it has no body. */
export function requestHeaders(
  stream: number,
  fields: Record<string, string>,
  body = false,
): Buffer {
  const flags = Flag.END_HEADERS | (body ? 0 : Flag.END_STREAM)
  return frame(FrameType.HEADERS, flags, stream, headerBlock(fields))
}

/** What a raw session received. */
export interface RawH2 {
  socket: Socket
  /** Streams the server opened a response on (a HEADERS frame). */
  responses: number[]
  /** `[stream, code]` of each RST_STREAM the server sent. */
  resets: [number, number][]
  /** The error code of the server's GOAWAY, once one came. */
  goaway: number | undefined
  /** Resolves once the server closed the connection. */
  closed: Promise<void>
  /** Resolves once `test` holds for what came, or the connection closed. */
  until(test: (session: RawH2) => boolean): Promise<void>
}

/**
 * Opens a connection to an h2c server and reads its frames; the first packet
 * is the preface, empty SETTINGS and `first`. node:http2 reads that packet
 * whole before it emits anything, so what `first` does to a stream is done
 * before the server sees the stream.
 */
export function rawH2(port: number, first: Uint8Array = Buffer.alloc(0)): Promise<RawH2> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    sockets.add(socket)
    let buffer = Buffer.alloc(0)
    const waiters = new Set<() => void>()
    const session: RawH2 = {
      socket,
      responses: [],
      resets: [],
      goaway: undefined,
      closed: new Promise((done) => socket.once('close', () => done())),
      until: (test) =>
        new Promise((done) => {
          const check = () => {
            if (!test(session) && !socket.destroyed) return
            waiters.delete(check)
            done()
          }
          waiters.add(check)
          check()
        }),
    }
    const wake = () => {
      for (const waiter of waiters) waiter()
    }
    socket.on('close', wake)
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data])
      while (buffer.length >= 9) {
        const length = buffer.readUIntBE(0, 3)
        if (buffer.length < 9 + length) break
        const [type, flags] = [buffer[3]!, buffer[4]!]
        const stream = buffer.readUInt32BE(5) & 0x7fffffff
        const payload = buffer.subarray(9, 9 + length)
        buffer = buffer.subarray(9 + length)
        if (type === FrameType.SETTINGS && !(flags & Flag.ACK))
          socket.write(frame(FrameType.SETTINGS, Flag.ACK, 0))
        else if (type === FrameType.HEADERS) session.responses.push(stream)
        else if (type === FrameType.RST_STREAM)
          session.resets.push([stream, payload.readUInt32BE(0)])
        else if (type === FrameType.GOAWAY) session.goaway = payload.readUInt32BE(4)
      }
      wake()
    })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.on('error', () => undefined)
      socket.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0), first]))
      resolve(session)
    })
  })
}

/**
 * A streamed body compressed on the fly, one flush per chunk.
 * @module
 */
import { once } from 'node:events'

import type { Body, Chunk } from '../wsgi/types.js'
import type { Codec, CompressStream } from './codecs.js'

/** Runs a zlib flush; rejects if the stream fails first. */
function flush(stream: CompressStream, kind: number, failed: Promise<never>): Promise<void> {
  const flushed = new Promise<void>((resolve) => stream.flush(kind, resolve))
  return Promise.race([flushed, failed])
}

/** Takes what the stream emitted so far, as one buffer. */
function take(output: Buffer[]): Buffer {
  return output.length === 1 ? output.pop()! : Buffer.concat(output.splice(0))
}

function isEmpty(chunk: Chunk): boolean {
  return chunk.length === 0
}

/**
 * The compressed version of a streamed body. Each chunk the application
 * yields is compressed and flushed before the next one is asked for: the
 * chunk reaches the client without waiting for more (server-sent events and
 * long polls keep working), and the server's backpressure reaches the
 * application. `close()` reaches the original body's `close()`.
 */
export class CompressedBody implements AsyncIterable<Buffer> {
  readonly #source: Body
  readonly #codec: Codec
  #stream: CompressStream | undefined
  #closed = false

  constructor(source: Body, codec: Codec) {
    this.#source = source
    this.#codec = codec
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.#closed) return
    const stream = (this.#stream = this.#codec.createStream())
    const output: Buffer[] = []
    stream.on('data', (data: Buffer) => output.push(data))
    // a flush still pending when the stream fails, or is destroyed by close(), gives up
    const failed = new Promise<never>((_, reject) => {
      stream.once('error', reject)
      stream.once('close', () => reject(new Error('The compression stream was closed')))
    })
    failed.catch(() => undefined) // observed by flush(); settles when the stream closes anyway
    try {
      for await (const chunk of this.#source) {
        if (this.#closed) return
        if (isEmpty(chunk)) continue
        stream.write(chunk)
        await flush(stream, this.#codec.flushKind, failed)
        // a flushed stream may still hold output it has not emitted yet: read() emits it now
        while (stream.readableLength > 0 && stream.read() !== null);
        if (output.length) yield take(output)
      }
      stream.end()
      await once(stream, 'end')
      if (output.length) yield take(output)
    } finally {
      // frees zlib's memory now, whether the body ended, failed or was abandoned
      stream.destroy()
    }
  }

  /** Stops compressing and closes the original body; once only. */
  close(): unknown {
    if (this.#closed) return undefined
    this.#closed = true
    this.#stream?.destroy()
    const source = this.#source
    return typeof source.close === 'function' ? source.close() : undefined
  }
}

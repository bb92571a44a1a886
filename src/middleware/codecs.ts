/**
 * The content codings compression offers, over node:zlib: one-shot
 * compression for bodies in hand, and streams that flush for the others.
 * zstd is left out: node:zlib has it only from Node 22.15, and this package
 * runs on Node 20.
 * @module
 */
import type { Transform } from 'node:stream'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

/** A content coding compression can answer with. */
export type Encoding = 'br' | 'gzip' | 'deflate'

/** Every coding compression knows, in its default order of preference. */
export const ENCODINGS: readonly Encoding[] = Object.freeze(['br', 'gzip', 'deflate'])

/** A zlib stream that compresses what is written to it and can be flushed. */
export type CompressStream = Transform & zlib.Zlib

/** One content coding at given settings. */
export interface Codec {
  readonly name: Encoding
  /** Compresses a whole body on this thread. */
  compressSync(data: Uint8Array | string): Buffer
  /** Compresses a whole body on libuv's thread pool. */
  compress(data: Uint8Array | string): Promise<Buffer>
  /** A stream for a body that comes in chunks. */
  createStream(): CompressStream
  /** The flush that makes the stream emit everything written so far, without ending it. */
  readonly flushKind: number
}

const gzip = promisify(zlib.gzip)
const deflate = promisify(zlib.deflate)
const brotli = promisify(zlib.brotliCompress)

function brotliOptions(quality: number, size?: number): zlib.BrotliOptions {
  const params: Record<number, number> = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality }
  if (size !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = size
  return { params }
}

function size(data: Uint8Array | string): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}

/** The codec of `name`: gzip and deflate at zlib `level`, brotli at `brotliQuality`. */
export function createCodec(name: Encoding, level: number, brotliQuality: number): Codec {
  if (name === 'br')
    return {
      name,
      compressSync: (data) =>
        zlib.brotliCompressSync(data, brotliOptions(brotliQuality, size(data))),
      compress: (data) => brotli(data, brotliOptions(brotliQuality, size(data))),
      createStream: () => zlib.createBrotliCompress(brotliOptions(brotliQuality)),
      flushKind: zlib.constants.BROTLI_OPERATION_FLUSH,
    }
  const options: zlib.ZlibOptions = { level }
  // RFC 9110 §8.4.1.2: HTTP's "deflate" is the zlib format, not raw deflate
  const isGzip = name === 'gzip'
  return {
    name,
    compressSync: (data) =>
      isGzip ? zlib.gzipSync(data, options) : zlib.deflateSync(data, options),
    compress: (data) => (isGzip ? gzip(data, options) : deflate(data, options)),
    createStream: () => (isGzip ? zlib.createGzip(options) : zlib.createDeflate(options)),
    // a sync flush ends the block without resetting the dictionary, unlike a full flush
    flushKind: zlib.constants.Z_SYNC_FLUSH,
  }
}

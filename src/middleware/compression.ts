/**
 * Response compression: gzip, deflate and brotli negotiated from
 * `Accept-Encoding`, buffered bodies in one call, streamed ones chunk by
 * chunk. pulsar's `GZipMiddleware` is the gzip-only form.
 * @module
 */
import { NotAcceptable } from '../wsgi/errors.js'
import type { WsgiResponse } from '../wsgi/response.js'
import type { Body, Chunk, Environ } from '../wsgi/types.js'
import { type Codec, ENCODINGS, type Encoding, createCodec } from './codecs.js'
import { CompressedBody } from './compressed-body.js'
import { negotiateEncoding } from './encoding.js'
import { integerOption } from './options.js'
import { BaseResponseMiddleware } from './response-middleware.js'
import { addVary } from './vary.js'

/** Decides whether a media type is worth compressing. */
export type CompressionFilter = (
  mediaType: string,
  response: WsgiResponse,
  environ: Environ,
) => boolean

/** Options of `compression()`; every one has a default. */
export interface CompressionOptions {
  /**
   * The smallest body, in bytes, worth compressing; below it the response
   * goes as it is. A streamed body of unknown length always qualifies.
   * @default 1024
   */
  minLength?: number
  /**
   * The codings offered, in order of preference when the client accepts
   * several equally. zstd is not among them: Node 20 has no zstd.
   * @default ['br', 'gzip', 'deflate']
   */
  encodings?: readonly Encoding[]
  /** zlib level of gzip and deflate, from 0 (store) to 9 (smallest). @default 6 */
  level?: number
  /** Brotli quality, from 0 to 11; past 5 it costs much CPU for little gain on dynamic content. @default 4 */
  brotliQuality?: number
  /**
   * Which media types (lower case, without parameters) are compressed.
   * @default isCompressible: all but already-compressed types and text/event-stream
   */
  filter?: CompressionFilter
  /**
   * Bodies in hand up to this many bytes are compressed on the event loop,
   * in one synchronous call; larger ones on libuv's thread pool, so a big
   * body does not stall other requests.
   * @default 65536
   */
  syncThreshold?: number
  /**
   * The answer when the client accepts none of the codings and refuses
   * identity (`identity;q=0` or `*;q=0`): `'identity'` sends the response
   * uncompressed anyway (RFC 9110 §12.1 lets a server disregard the
   * preference), `'refuse'` answers 406 Not Acceptable.
   * @default 'identity'
   */
  notAcceptable?: 'identity' | 'refuse'
}

/** What one `Accept-Encoding` value asks for. */
interface Negotiated {
  /** The coding to use; `'identity'` for none, `undefined` when nothing is acceptable. */
  coding: string | undefined
  /** Whether the client refuses an uncompressed body. */
  identityRefused: boolean
}

// types whose bytes are already compressed: compressing them again costs CPU and saves nothing
const COMPRESSED_TYPES = new Set([
  'application/octet-stream', // unknown bytes, most often an archive or a media file
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-bzip',
  'application/x-bzip2',
  'application/x-xz',
  'application/x-7z-compressed',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/zstd',
  'application/x-compress',
  'application/java-archive',
  'application/font-woff',
  'font/woff',
  'font/woff2',
])
const TEXT_LIKE_IMAGES = new Set([
  'image/svg+xml',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
])
const NEGOTIATION_CACHE_LIMIT = 256
const IDENTITY: Negotiated = Object.freeze({ coding: 'identity', identityRefused: false })

/**
 * The default compression filter: true unless the type is already
 * compressed (images but SVG, BMP and icons; audio; video; archives; woff
 * fonts; PDF; octet-stream) or is `text/event-stream`, whose events a
 * proxy or client may expect uncompressed.
 */
export function isCompressible(mediaType: string): boolean {
  if (mediaType === 'text/event-stream') return false
  if (mediaType.startsWith('image/')) return TEXT_LIKE_IMAGES.has(mediaType)
  if (mediaType.startsWith('audio/') || mediaType.startsWith('video/')) return false
  // zip containers: epub, office documents (application/vnd.openxmlformats-...), +zip suffixes
  if (mediaType.endsWith('+zip') || mediaType.startsWith('application/vnd.openxmlformats'))
    return false
  return !COMPRESSED_TYPES.has(mediaType)
}

function hasNoTransform(response: WsgiResponse): boolean {
  return response.headers.getAll('Cache-Control').some((value) => /\bno-transform\b/i.test(value))
}

function toBytes(chunk: Chunk): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

/**
 * Compresses responses with the best coding the client accepts. See
 * docs/middleware.md for every rule; in short:
 *
 * - never: HEAD, 1xx, 204, 304, 206 or a `Content-Range`, a response that
 *   has a `Content-Encoding`, `Cache-Control: no-transform`, a body under
 *   `minLength`, a type the filter refuses;
 * - `Vary: Accept-Encoding` on every response that could be compressed,
 *   compressed or not; `Content-Length` recomputed; a strong `ETag` weakened;
 * - bodies in hand are compressed in one call, streamed ones chunk by chunk
 *   with a flush per chunk and backpressure.
 */
export class CompressionMiddleware extends BaseResponseMiddleware {
  /** The smallest body worth compressing, in bytes. */
  readonly minLength: number
  /** The codings offered, best first. */
  readonly encodings: readonly Encoding[]
  readonly #codecs = new Map<string, Codec>()
  readonly #filter: CompressionFilter
  readonly #syncThreshold: number
  readonly #refuse: boolean
  readonly #negotiated = new Map<string, Negotiated>()

  constructor(options: CompressionOptions = {}) {
    super()
    this.minLength = integerOption('minLength', options.minLength ?? 1024, 0)
    const level = integerOption('level', options.level ?? 6, 0, 9)
    const brotliQuality = integerOption('brotliQuality', options.brotliQuality ?? 4, 0, 11)
    const encodings = options.encodings ?? ENCODINGS
    if (encodings.length === 0) throw new TypeError('encodings must name at least one coding')
    for (const name of encodings) {
      if (!ENCODINGS.includes(name) || this.#codecs.has(name))
        throw new TypeError(
          `encodings must be distinct codings among ${ENCODINGS.join(', ')}, not ${String(name)}`,
        )
      this.#codecs.set(name, createCodec(name, level, brotliQuality))
    }
    this.encodings = Object.freeze([...encodings])
    this.#filter = options.filter ?? isCompressible
    this.#syncThreshold = integerOption('syncThreshold', options.syncThreshold ?? 65536, 0)
    const policy = options.notAcceptable ?? 'identity'
    if (policy !== 'identity' && policy !== 'refuse')
      throw new TypeError(`notAcceptable must be 'identity' or 'refuse', not ${String(policy)}`)
    this.#refuse = policy === 'refuse'
  }

  /**
   * Whether the response could ever be compressed, whatever the client
   * accepts: only those get `Vary: Accept-Encoding`.
   */
  override available(environ: Environ, response: WsgiResponse): boolean {
    const status = response.statusCode
    if (status < 200 || status === 204) return false // no body, ever (RFC 9110 §6.4.1)
    if (status === 206) return false // partial content: its Content-Range counts identity bytes
    const headers = response.headers
    if (headers.has('Content-Range')) return false // same, whatever the status
    if (headers.has('Content-Encoding')) return false // the application encoded it already
    if (hasNoTransform(response)) return false // RFC 9111 §5.2.2.6: no intermediary may change it
    // text content is labelled now, so the filter sees the type start() would send
    const type = response.labelText().contentType
    // a 304 stands for its 200 (RFC 9110 §15.4.5), whose type it often leaves out
    if (type === undefined) return status === 304
    const mediaType = type.split(';', 1)[0]!.trim().toLowerCase()
    return this.#filter(mediaType, response, environ)
  }

  /** Adds `Vary`, negotiates a coding and compresses the body when it is worth it. */
  execute(environ: Environ, response: WsgiResponse): undefined | Promise<undefined> {
    // RFC 9110 §12.5.5: caches must know the answer depends on Accept-Encoding, compressed or not
    addVary(response.headers, 'Accept-Encoding')
    if (response.statusCode === 304) return undefined // no body
    if (environ.REQUEST_METHOD === 'HEAD') return undefined // no body
    const { coding, identityRefused } = this.#negotiate(environ.HTTP_ACCEPT_ENCODING)
    if (coding === 'identity') return undefined
    if (coding === undefined) {
      if (this.#refuse)
        throw new NotAcceptable(
          `None of the content codings the client accepts is available (${this.encodings.join(', ')})`,
        )
      return undefined
    }
    const codec = this.#codecs.get(coding)!
    const length = response.length()
    // a client that refuses identity gets a compressed body however small
    const small = (bytes: number) => bytes < this.minLength && !identityRefused
    if (length === undefined) {
      const declared = Number(response.headers.get('Content-Length') ?? NaN)
      if (small(declared)) return undefined
      const source = response.content as Body
      this.#encoded(response, coding)
      response.content = new CompressedBody(source, codec)
      return undefined
    }
    if (small(length)) return undefined
    const content = response.content as readonly Chunk[] & Pick<Body, 'close'>
    const data = content.length === 1 ? content[0]! : Buffer.concat(content.map(toBytes))
    const replace = (compressed: Buffer): undefined => {
      this.#encoded(response, coding)
      const body: Chunk[] & Pick<Body, 'close'> = [compressed]
      // keep a close() the application attached to its list of chunks
      if (typeof content.close === 'function') body.close = content.close.bind(content)
      response.content = body
      return undefined
    }
    if (length <= this.#syncThreshold) return replace(codec.compressSync(data))
    return codec.compress(data).then(replace)
  }

  /** What an `Accept-Encoding` value asks for; remembered, as clients send a handful of them. */
  #negotiate(header: string | undefined): Negotiated {
    if (header === undefined) return IDENTITY
    let negotiated = this.#negotiated.get(header)
    if (negotiated === undefined) {
      negotiated = {
        coding: negotiateEncoding(header, this.encodings),
        identityRefused: negotiateEncoding(header, []) === undefined,
      }
      if (this.#negotiated.size < NEGOTIATION_CACHE_LIMIT) this.#negotiated.set(header, negotiated)
    }
    return negotiated
  }

  /** Marks the response as encoded: Content-Encoding, no stale Content-Length, a weak ETag. */
  #encoded(response: WsgiResponse, coding: string): void {
    const headers = response.headers
    headers.delete('Content-Length')
    headers.set('Content-Encoding', coding)
    // RFC 9110 §8.8.1: the compressed bytes differ, so a byte-for-byte (strong) validator no longer holds
    const etag = headers.get('ETag')
    if (etag !== undefined && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`)
  }
}

/** Compression with every coding (`br`, `gzip`, `deflate`) and the given options. */
export function compression(options?: CompressionOptions): CompressionMiddleware {
  return new CompressionMiddleware(options)
}

/**
 * pulsar's `GZipMiddleware(minLength = 200)`: gzip only, for bodies of at
 * least `minLength` bytes, with every rule of `compression()`.
 */
export class GZipMiddleware extends CompressionMiddleware {
  constructor(minLength = 200, options: Omit<CompressionOptions, 'minLength' | 'encodings'> = {}) {
    super({ ...options, minLength, encodings: ['gzip'] })
  }
}

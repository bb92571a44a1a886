/**
 * Compression rules, in process through inject(): what is compressed, with
 * which coding, what never is, Vary, Content-Length and ETag.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

import {
  type Callable,
  type Content,
  CompressionMiddleware,
  type Environ,
  type CompressionOptions,
  GZipMiddleware,
  type HeadersInit,
  type ResponseMiddleware,
  WsgiHandler,
  WsgiResponse,
  compression,
} from 'pulsar-ts'
import { type TestRequest, inject } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

const TEXT = 'All work and no play makes Jack a dull boy. '.repeat(100) // 4500 bytes
const GZIP = { 'Accept-Encoding': 'gzip' }

/** Serves one WsgiResponse, built per request, through the given response middleware. */
function app(
  build: () => WsgiResponse,
  middleware: Callable<ResponseMiddleware> = compression(),
): WsgiHandler {
  return new WsgiHandler([build], [middleware])
}

function text(
  content: Content = TEXT,
  headers?: HeadersInit,
  type = 'text/plain',
  status = 200,
): () => WsgiResponse {
  return () => new WsgiResponse(status, content, headers, type)
}

async function get(
  build: () => WsgiResponse,
  request: TestRequest = { headers: GZIP },
  middleware?: Callable<ResponseMiddleware>,
) {
  return inject(app(build, middleware), request)
}

describe('compression: choosing the coding', () => {
  it('gzips a body in hand, with Content-Encoding, Vary and the new Content-Length', async () => {
    const res = await get(text())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(res.headers.get('content-length')).toBe(String(res.body.length))
    expect(res.body.length).toBeLessThan(TEXT.length / 10)
    expect(gunzipSync(res.body).toString()).toBe(TEXT)
  })

  it('prefers br, then gzip, then deflate when the client takes them all', async () => {
    const br = await get(text(), { headers: { 'Accept-Encoding': 'gzip, deflate, br' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(brotliDecompressSync(br.body).toString()).toBe(TEXT)
    const deflate = await get(text(), { headers: { 'Accept-Encoding': 'deflate' } })
    expect(deflate.headers.get('content-encoding')).toBe('deflate')
    // HTTP's deflate is the zlib format (RFC 9110 §8.4.1.2)
    expect(inflateSync(deflate.body).toString()).toBe(TEXT)
  })

  it('follows the q-values and the order of preference given', async () => {
    const q = await get(text(), { headers: { 'Accept-Encoding': 'br;q=0.2, gzip;q=0.8' } })
    expect(q.headers.get('content-encoding')).toBe('gzip')
    const ordered = await get(
      text(),
      { headers: { 'Accept-Encoding': 'br, gzip' } },
      compression({ encodings: ['gzip', 'br'] }),
    )
    expect(ordered.headers.get('content-encoding')).toBe('gzip')
    const star = await get(text(), { headers: { 'Accept-Encoding': '*' } })
    expect(star.headers.get('content-encoding')).toBe('br')
  })

  it('sends identity, with Vary, when the client asks for none or refuses them', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0' }, { 'Accept-Encoding': 'zstd' }]) {
      const res = await get(text(), { headers })
      expect(res.headers.has('content-encoding')).toBe(false)
      expect(res.headers.get('vary')).toBe('Accept-Encoding')
      expect(res.text).toBe(TEXT)
      expect(res.headers.get('content-length')).toBe(String(TEXT.length))
    }
  })

  it('sends identity anyway when nothing is acceptable, or 406 when told to refuse', async () => {
    const refused = { headers: { 'Accept-Encoding': 'zstd, identity;q=0' } }
    const lenient = await get(text(), refused)
    expect(lenient.status).toBe(200)
    expect(lenient.text).toBe(TEXT)
    const strict = await get(text(), refused, compression({ notAcceptable: 'refuse' }))
    expect(strict.status).toBe(406)
    expect(strict.text).toMatch(/None of the content codings/)
  })

  it('compresses a body under minLength when the client refuses identity', async () => {
    const small = await get(text('tiny'), { headers: { 'Accept-Encoding': 'gzip, identity;q=0' } })
    expect(small.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(small.body).toString()).toBe('tiny')
  })

  it('GZipMiddleware is gzip only, from 200 bytes (pulsar)', async () => {
    const gzip = new GZipMiddleware()
    expect(gzip.minLength).toBe(200)
    expect(gzip.encodings).toEqual(['gzip'])
    const all = { headers: { 'Accept-Encoding': 'br, gzip' } }
    const at200 = await get(text('x'.repeat(200)), all, gzip)
    expect(at200.headers.get('content-encoding')).toBe('gzip')
    const at199 = await get(text('x'.repeat(199)), all, gzip)
    expect(at199.headers.has('content-encoding')).toBe(false)
    expect(at199.headers.get('vary')).toBe('Accept-Encoding')
    const brOnly = await get(text(), { headers: { 'Accept-Encoding': 'br' } }, gzip)
    expect(brOnly.headers.has('content-encoding')).toBe(false)
    expect(new GZipMiddleware(10).minLength).toBe(10)
  })

  it('compresses large bodies off the event loop, with the same result', async () => {
    const large = 'abcdefghij'.repeat(20000) // 200 kB, over the sync threshold
    const res = await get(text(large))
    expect(res.headers.get('content-length')).toBe(String(res.body.length))
    expect(gunzipSync(res.body).toString()).toBe(large)
    const forced = await get(text(TEXT), { headers: GZIP }, compression({ syncThreshold: 0 }))
    expect(gunzipSync(forced.body).toString()).toBe(TEXT)
  })

  it('honours level and brotliQuality', async () => {
    const store = await get(text(), { headers: GZIP }, compression({ level: 0 }))
    expect(store.body.length).toBeGreaterThan(TEXT.length)
    expect(gunzipSync(store.body).toString()).toBe(TEXT)
    const br = await get(
      text(),
      { headers: { 'Accept-Encoding': 'br' } },
      compression({ brotliQuality: 11 }),
    )
    expect(brotliDecompressSync(br.body).toString()).toBe(TEXT)
  })

  it('refuses bad options when built', () => {
    const bad: CompressionOptions[] = [
      { minLength: -1 },
      { level: 10 },
      { brotliQuality: 12 },
      { syncThreshold: 1.5 },
      { encodings: [] },
      { encodings: ['gzip', 'gzip'] },
      { encodings: ['zstd' as 'gzip'] },
      { notAcceptable: 'maybe' as 'refuse' },
    ]
    for (const options of bad) expect(() => compression(options)).toThrow(TypeError)
    expect(() => compression({ level: 10 })).toThrow('level must be an integer from 0 to 9, not 10')
  })
})

describe('compression: what is never compressed', () => {
  it('leaves HEAD alone, with the Vary and Content-Length of GET', async () => {
    const res = await get(text(), { method: 'HEAD', headers: GZIP })
    expect(res.headers.has('content-encoding')).toBe(false)
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(res.headers.get('content-length')).toBe(String(TEXT.length))
    expect(res.body.length).toBe(0)
  })

  it('leaves 1xx-less bodies alone: 204 has nothing to vary, 304 keeps the Vary of its 200', async () => {
    const noContent = await get(text(TEXT, undefined, 'text/plain', 204))
    expect(noContent.headers.has('content-encoding')).toBe(false)
    expect(noContent.headers.has('vary')).toBe(false)
    const notModified = await get(() => new WsgiResponse(304, undefined, { ETag: '"v1"' }))
    expect(notModified.status).toBe(304)
    expect(notModified.headers.has('content-encoding')).toBe(false)
    expect(notModified.headers.get('vary')).toBe('Accept-Encoding')
    expect(notModified.headers.get('etag')).toBe('"v1"')
  })

  it('leaves partial content alone: 206 and any Content-Range', async () => {
    const partial = await get(
      text(TEXT, { 'Content-Range': `bytes 0-${TEXT.length - 1}/9999` }, 'text/plain', 206),
    )
    expect(partial.headers.has('content-encoding')).toBe(false)
    expect(partial.headers.has('vary')).toBe(false)
    // several ranges: the Content-Range headers are inside the body's parts
    const multipart = await get(text(TEXT, undefined, 'multipart/byteranges; boundary=b', 206))
    expect(multipart.headers.has('content-encoding')).toBe(false)
    const range = await get(text(TEXT, { 'Content-Range': 'bytes */9999' }, 'text/plain', 416))
    expect(range.headers.has('content-encoding')).toBe(false)
    expect(range.text).toBe(TEXT)
  })

  it('leaves a response with a Content-Encoding, or with no-transform, alone', async () => {
    const encoded = await get(text(TEXT, { 'Content-Encoding': 'identity' }))
    expect(encoded.headers.get('content-encoding')).toBe('identity')
    expect(encoded.headers.has('vary')).toBe(false)
    expect(encoded.text).toBe(TEXT)
    const noTransform = await get(text(TEXT, { 'Cache-Control': 'public, No-Transform' }))
    expect(noTransform.headers.has('content-encoding')).toBe(false)
    expect(noTransform.headers.has('vary')).toBe(false)
  })

  it('leaves small bodies uncompressed, with Vary', async () => {
    const res = await get(text('x'.repeat(1023)))
    expect(res.headers.has('content-encoding')).toBe(false)
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    const declared = await get(
      () =>
        new WsgiResponse(
          200,
          (function* () {
            yield 'short'
          })(),
          { 'Content-Length': '5' },
          'text/plain',
        ),
    )
    expect(declared.headers.has('content-encoding')).toBe(false)
    expect(declared.text).toBe('short')
  })

  it.each([
    'image/png',
    'image/jpeg',
    'audio/mpeg',
    'video/mp4',
    'application/zip',
    'application/gzip',
    'font/woff2',
    'application/octet-stream',
    'application/epub+zip',
    'text/event-stream',
  ])('does not compress %s, nor varies it', async (type) => {
    const res = await get(text(Buffer.from(TEXT), undefined, type))
    expect(res.headers.has('content-encoding')).toBe(false)
    expect(res.headers.has('vary')).toBe(false)
  })

  it.each(['image/svg+xml', 'application/json', 'text/html; charset=utf-8', 'font/ttf'])(
    'compresses %s',
    async (type) => {
      const res = await get(text(Buffer.from(TEXT), undefined, type))
      expect(res.headers.get('content-encoding')).toBe('gzip')
    },
  )

  it('leaves bytes of no known type alone, but labels text as text/plain', async () => {
    const bytes = await get(() => new WsgiResponse(200, Buffer.from(TEXT)))
    expect(bytes.headers.has('content-encoding')).toBe(false)
    const str = await get(() => new WsgiResponse(200, TEXT))
    expect(str.headers.get('content-encoding')).toBe('gzip')
    expect(str.headers.get('content-type')).toBe('text/plain; charset=utf-8')
  })

  it('takes a filter of its own', async () => {
    const seen: string[] = []
    const middleware = compression({
      filter: (type) => {
        seen.push(type)
        return type === 'image/png'
      },
    })
    const png = await get(text(Buffer.from(TEXT), undefined, 'image/png'), undefined, middleware)
    expect(png.headers.get('content-encoding')).toBe('gzip')
    const html = await get(text(TEXT, undefined, 'TEXT/HTML; charset=utf-8'), undefined, middleware)
    expect(html.headers.has('content-encoding')).toBe(false)
    expect(seen).toEqual(['image/png', 'text/html'])
  })
})

describe('compression: headers that depend on the body', () => {
  it('weakens a strong ETag and keeps a weak one', async () => {
    const strong = await get(text(TEXT, { ETag: '"abc"' }))
    expect(strong.headers.get('etag')).toBe('W/"abc"')
    const weak = await get(text(TEXT, { ETag: 'W/"abc"' }))
    expect(weak.headers.get('etag')).toBe('W/"abc"')
    const identity = await get(text(TEXT, { ETag: '"abc"' }), { headers: {} })
    expect(identity.headers.get('etag')).toBe('"abc"')
  })

  it('replaces a Content-Length the application set', async () => {
    const res = await get(text(TEXT, { 'Content-Length': String(TEXT.length) }))
    expect(res.headers.getAll('content-length')).toEqual([String(res.body.length)])
    expect(gunzipSync(res.body).toString()).toBe(TEXT)
  })

  it('adds Accept-Encoding to an existing Vary once, and leaves Vary: * alone', async () => {
    const cookie = await get(text(TEXT, { Vary: 'Cookie' }))
    expect(cookie.headers.getAll('vary')).toEqual(['Cookie, Accept-Encoding'])
    const already = await get(text(TEXT, { Vary: 'cookie, accept-encoding' }))
    expect(already.headers.getAll('vary')).toEqual(['cookie, accept-encoding'])
    const star = await get(text(TEXT, { Vary: '*' }))
    expect(star.headers.getAll('vary')).toEqual(['*'])
  })

  it('compresses error pages too', async () => {
    const handler = new WsgiHandler(
      [
        () => {
          throw Object.assign(new Error(TEXT), { status: 400 })
        },
      ],
      [compression()],
    )
    const res = await inject(handler, { headers: { ...GZIP, Accept: 'text/plain' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(res.body).toString()).toBe(`${TEXT}\n`)
  })

  it('keeps a close() attached to a list of chunks', async () => {
    let closed = 0
    const content = Object.assign([TEXT.slice(0, 2000), Buffer.from(TEXT.slice(2000))], {
      close: () => void closed++,
    })
    const res = await get(() => new WsgiResponse(200, content, undefined, 'text/plain'))
    expect(gunzipSync(res.body).toString()).toBe(TEXT)
    expect(closed).toBe(1)
  })

  it('is an instance with available() and execute() (pulsar ResponseMiddleware)', () => {
    const middleware = new CompressionMiddleware()
    const environ = { REQUEST_METHOD: 'GET' } as Parameters<typeof middleware.available>[0]
    expect(middleware.available(environ, new WsgiResponse(200, TEXT))).toBe(true)
    expect(middleware.available(environ, new WsgiResponse(204))).toBe(false)
    expect(middleware.available(environ, new WsgiResponse(200, 'x', undefined, 'image/gif'))).toBe(
      false,
    )
  })
})

describe.each(transports)('compression over a socket, $name', (t) => {
  /** A raw request (the body not decoded): status, headers and the bytes as sent. */
  const fetchRaw = (url: string, headers: Record<string, string>, method = 'GET') =>
    t.bytes(url, { method, headers })

  const site = () =>
    t.serve(
      new WsgiHandler(
        [
          (environ: Environ) => {
            if (environ.PATH_INFO === '/small') return new WsgiResponse(200, 'small')
            if (environ.PATH_INFO === '/png')
              return new WsgiResponse(200, Buffer.from(TEXT), undefined, 'image/png')
            return new WsgiResponse(200, TEXT, { ETag: '"t1"' })
          },
        ],
        [compression()],
      ),
    )

  it('lets fetch decode gzip, br and deflate', async () => {
    const { url } = await site()
    for (const coding of ['gzip', 'br', 'deflate']) {
      const res = await t.fetch(url, { headers: { 'Accept-Encoding': coding } })
      expect(res.headers.get('content-encoding')).toBe(coding)
      expect(res.headers.get('vary')).toBe('Accept-Encoding')
      expect(res.headers.get('etag')).toBe('W/"t1"')
      expect(await res.text()).toBe(TEXT)
    }
  })

  it('sends the compressed length, and the rules that keep a body as it is', async () => {
    const { url } = await site()
    const gzip = await fetchRaw(url, GZIP)
    expect(gzip.headers['content-length']).toBe(String(gzip.body.length))
    expect(gunzipSync(gzip.body).toString()).toBe(TEXT)
    const head = await fetchRaw(url, GZIP, 'HEAD')
    expect(head.headers['content-encoding']).toBeUndefined()
    expect(head.headers['content-length']).toBe(String(TEXT.length))
    expect(head.headers.vary).toBe('Accept-Encoding')
    const identity = await fetchRaw(url, { 'Accept-Encoding': 'gzip;q=0' })
    expect(identity.body.toString()).toBe(TEXT)
    expect(identity.headers.etag).toBe('"t1"')
    const small = await fetchRaw(`${url}/small`, GZIP)
    expect(small.body.toString()).toBe('small')
    expect(small.headers.vary).toBe('Accept-Encoding')
    const png = await fetchRaw(`${url}/png`, GZIP)
    expect(png.headers['content-encoding']).toBeUndefined()
    expect(png.headers.vary).toBeUndefined()
    expect(png.body.toString()).toBe(TEXT)
  })
})

/** MediaRouter over real sockets: headers, conditional requests, ranges, HEAD, indexes and traversal attempts. */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { WsgiHandler, WsgiRequest, WsgiResponse } from 'pulsar-ts'
import {
  type FileResponseOptions,
  MediaRouter,
  type MediaOptions,
  fileResponse,
} from 'pulsar-ts/router'
import { testWsgiEnviron } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse } from '../helpers/raw.js'
import { transports } from '../helpers/transports.js'

let base: string
let root: string
const BIG = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251))
const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5))
// extensions outside the short table MediaRouter once had, by their type in mime-db
const TYPES: Record<string, string> = {
  ics: 'text/calendar; charset=utf-8',
  jsonld: 'application/ld+json; charset=utf-8',
  mov: 'video/quicktime',
  heic: 'image/heic',
  epub: 'application/epub+zip',
  yaml: 'text/yaml; charset=utf-8',
  tar: 'application/x-tar',
  '7z': 'application/x-7z-compressed',
  flac: 'audio/x-flac',
  svg: 'image/svg+xml; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  unknownext: 'application/octet-stream',
}
const TYPED = Object.keys(TYPES)

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'pulsar-media-'))
  root = join(base, 'root')
  mkdirSync(join(root, 'sub'), { recursive: true })
  mkdirSync(join(root, 'site'))
  mkdirSync(join(root, '.hidden'))
  mkdirSync(join(base, 'outside-dir'))
  writeFileSync(join(root, 'hello.txt'), 'Hello media\n')
  writeFileSync(join(root, 'style.css'), 'body{}')
  writeFileSync(join(root, 'data.json'), '{"a":1}')
  writeFileSync(join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  writeFileSync(join(root, 'empty.txt'), '')
  writeFileSync(join(root, 'big.bin'), BIG)
  for (const name of TYPED) writeFileSync(join(root, `file.${name}`), name)
  writeFileSync(join(root, 'a b&c.txt'), 'spaces')
  writeFileSync(join(root, '%2e%2e'), 'a file with a strange name')
  writeFileSync(join(root, '.secret'), 'secret')
  writeFileSync(join(root, '.hidden', 'file.txt'), 'hidden')
  writeFileSync(join(root, 'sub', 'a.txt'), 'sub a')
  writeFileSync(join(root, 'site', 'index.html'), '<h1>site</h1>')
  writeFileSync(join(base, 'outside.txt'), 'OUTSIDE SECRET')
  writeFileSync(join(base, 'outside-dir', 'x.txt'), 'OUTSIDE SECRET')
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-inside.txt'))
  symlinkSync(join(base, 'outside.txt'), join(root, 'link-out.txt'))
  symlinkSync(join(base, 'outside-dir'), join(root, 'link-dir-out'))
  symlinkSync(join(root, '.secret'), join(root, 'to-dotfile.txt'))
  utimesSync(join(root, 'hello.txt'), MTIME, MTIME)
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

const fallback = () => new WsgiResponse(200, 'fell through')

describe('MediaRouter HEAD over HTTP/1.1', () => {
  it('answers HEAD with the headers of GET and no body', async () => {
    const { port } = await serve(new WsgiHandler([new MediaRouter('/media', root), fallback]))
    const client = await RawClient.connect(port)
    try {
      client.send(
        'HEAD /media/big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /media/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n',
      )
      const text = await client.until((received) => received.endsWith('Hello media\n'))
      const head = parseResponse(text)
      expect(head.status).toBe(200)
      expect(head.headers['content-length']).toBe(String(BIG.length))
      // the next response follows at once: HEAD sent no body
      expect(head.body.startsWith('HTTP/1.1 200 OK')).toBe(true)
    } finally {
      client.close()
    }
  })
})

describe.each(transports)('MediaRouter over $name', (t) => {
  const fetch = t.fetch

  function site(options: MediaOptions = {}) {
    return t.serve(new WsgiHandler([new MediaRouter('/media', root, options), fallback]))
  }

  const raw = (url: string, path: string, headers?: Record<string, string>) =>
    t.exact(url, path, headers)

  describe('MediaRouter files', () => {
    it('serves a file with its type, length, ETag, Last-Modified and caching headers', async () => {
      const { url } = await site()
      const response = await fetch(`${url}/media/hello.txt`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('Hello media\n')
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(response.headers.get('content-length')).toBe('12')
      expect(response.headers.get('etag')).toMatch(/^"c-[0-9a-f]+"$/)
      expect(response.headers.get('last-modified')).toBe(MTIME.toUTCString())
      expect(response.headers.get('cache-control')).toBe('public, max-age=86400')
      expect(response.headers.get('accept-ranges')).toBe('bytes')
    })

    it.each([
      ['style.css', 'text/css; charset=utf-8'],
      ['data.json', 'application/json; charset=utf-8'],
      ['image.png', 'image/png'],
      ['big.bin', 'application/octet-stream'],
      ...Object.entries(TYPES).map(([extension, type]) => [`file.${extension}`, type]),
    ])('gives %s the type %s', async (name, type) => {
      const { url } = await site()
      const response = await fetch(`${url}/media/${name}`)
      expect(response.headers.get('content-type')).toBe(type)
      await response.arrayBuffer()
    })

    it('streams a large file intact, and an empty one', async () => {
      const { url } = await site({ maxAge: 0 })
      const big = await fetch(`${url}/media/big.bin`)
      expect(Buffer.from(await big.arrayBuffer()).equals(BIG)).toBe(true)
      expect(big.headers.get('cache-control')).toBe('public, max-age=0')
      const empty = await fetch(`${url}/media/empty.txt`)
      expect(empty.headers.get('content-length')).toBe('0')
      expect(await empty.text()).toBe('')
    })

    it('decodes names and serves a file whose name looks like an escape, once decoded', async () => {
      const { url } = await site()
      expect(await (await fetch(`${url}/media/a%20b%26c.txt`)).text()).toBe('spaces')
      expect(await (await fetch(`${url}/media/%252e%252e`)).text()).toBe(
        'a file with a strange name',
      )
    })

    it('answers HEAD with the headers of GET and no body', async () => {
      const { url } = await site()
      const head = await fetch(`${url}/media/big.bin`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(BIG.length))
      expect(await head.text()).toBe('')
    })

    it('answers other methods with 405', async () => {
      const { url } = await site()
      const response = await fetch(`${url}/media/hello.txt`, { method: 'POST', body: 'x' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
    })

    it('answers a missing file with 404', async () => {
      const { url } = await site()
      expect((await fetch(`${url}/media/nope.txt`)).status).toBe(404)
      expect((await fetch(`${url}/media/hello.txt/more`)).status).toBe(404)
    })
  })

  describe('fileResponse', () => {
    it('reads the file in blocks of blockSize (pulsar file_response block)', async () => {
      const request = new WsgiRequest(testWsgiEnviron())
      const sizes = async (options: FileResponseOptions) => {
        const response = await fileResponse(request, join(root, 'big.bin'), options)
        const chunks: number[] = []
        for await (const chunk of response) chunks.push(chunk.length)
        return chunks
      }
      expect(await sizes({ blockSize: 30_000 })).toEqual([30_000, 30_000, 30_000, 10_000])
      expect(await sizes({})).toEqual([65_536, 100_000 - 65_536])
    })
  })

  describe('MediaRouter conditional requests', () => {
    it('answers a matching If-None-Match with 304, with validators and no body', async () => {
      const { url } = await site()
      const etag = (await fetch(`${url}/media/hello.txt`)).headers.get('etag')!
      for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const response = await raw(url, '/media/hello.txt', { 'If-None-Match': value })
        expect(response.status).toBe(304)
        expect(response.headers.etag).toBe(etag)
        expect(response.headers['last-modified']).toBe(MTIME.toUTCString())
        expect(response.headers['content-length']).toBeUndefined()
        expect(response.body).toBe('')
      }
      const changed = await raw(url, '/media/hello.txt', { 'If-None-Match': '"stale"' })
      expect(changed.status).toBe(200)
    })

    it('answers If-Modified-Since with 304 unless the file changed after it', async () => {
      const { url } = await site()
      const later = new Date(MTIME.getTime() + 1000).toUTCString()
      const earlier = new Date(MTIME.getTime() - 1000).toUTCString()
      const same = await raw(url, '/media/hello.txt', { 'If-Modified-Since': MTIME.toUTCString() })
      expect(same.status).toBe(304)
      expect((await raw(url, '/media/hello.txt', { 'If-Modified-Since': later })).status).toBe(304)
      expect((await raw(url, '/media/hello.txt', { 'If-Modified-Since': earlier })).status).toBe(
        200,
      )
      expect((await raw(url, '/media/hello.txt', { 'If-Modified-Since': 'garbage' })).status).toBe(
        200,
      )
      // only the three HTTP-date forms are dates (RFC 9110 §5.6.7); Date.parse reads these as far-future years
      for (const invalid of ['99999', '2999', 'Tue, 31 Feb 2999 00:00:00 GMT', '3000-01-01'])
        expect(
          (await raw(url, '/media/hello.txt', { 'If-Modified-Since': invalid })).status,
          invalid,
        ).toBe(200)
      const far = new Date(MTIME.getTime() + 10 * 365 * 86400_000)
      const asctime = far
        .toUTCString()
        .replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4')
      expect(
        (await raw(url, '/media/hello.txt', { 'If-Modified-Since': asctime })).status,
        asctime,
      ).toBe(304)
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
      const both = await raw(url, '/media/hello.txt', {
        'If-None-Match': '"stale"',
        'If-Modified-Since': later,
      })
      expect(both.status).toBe(200)
    })
  })

  describe('MediaRouter ranges', () => {
    const cases: [string, number, string | undefined, number[] | undefined][] = [
      ['bytes=0-9', 206, 'bytes 0-9/100000', [0, 10]],
      ['bytes=99990-', 206, 'bytes 99990-99999/100000', [99990, 100000]],
      ['bytes=-5', 206, 'bytes 99995-99999/100000', [99995, 100000]],
      ['bytes=50000-999999', 206, 'bytes 50000-99999/100000', [50000, 100000]],
      ['bytes=100000-', 416, 'bytes */100000', undefined],
      ['bytes=-0', 416, 'bytes */100000', undefined],
      ['bytes=0-1,5-6', 200, undefined, [0, 100000]],
      ['bytes=9-1', 200, undefined, [0, 100000]],
      ['pages=1-2', 200, undefined, [0, 100000]],
      ['bytes=abc', 200, undefined, [0, 100000]],
    ]
    it.each(cases)('answers Range: %s with %i', async (range, status, contentRange, slice) => {
      const { url } = await site()
      const response = await fetch(`${url}/media/big.bin`, { headers: { Range: range } })
      expect(response.status).toBe(status)
      expect(response.headers.get('content-range') ?? undefined).toBe(contentRange)
      const body = Buffer.from(await response.arrayBuffer())
      if (slice) {
        expect(body.equals(BIG.subarray(slice[0], slice[1]))).toBe(true)
        expect(response.headers.get('content-length')).toBe(String(slice[1]! - slice[0]!))
      }
    })

    it('serves the whole file when If-Range does not hold', async () => {
      const { url } = await site()
      const etag = (await fetch(`${url}/media/hello.txt`)).headers.get('etag')!
      const current = await fetch(`${url}/media/hello.txt`, {
        headers: { Range: 'bytes=0-4', 'If-Range': etag },
      })
      expect([current.status, await current.text()]).toEqual([206, 'Hello'])
      const byDate = await fetch(`${url}/media/hello.txt`, {
        headers: { Range: 'bytes=0-4', 'If-Range': MTIME.toUTCString() },
      })
      expect(byDate.status).toBe(206)
      await byDate.text()
      for (const stale of ['"old"', `W/${etag}`, 'Mon, 01 Jan 2001 00:00:00 GMT']) {
        const response = await fetch(`${url}/media/hello.txt`, {
          headers: { Range: 'bytes=0-4', 'If-Range': stale },
        })
        expect([response.status, await response.text()]).toEqual([200, 'Hello media\n'])
      }
    })

    it('answers a range of an empty file with 416', async () => {
      const { url } = await site()
      const response = await fetch(`${url}/media/empty.txt`, { headers: { Range: 'bytes=0-' } })
      expect(response.status).toBe(416)
      expect(response.headers.get('content-range')).toBe('bytes */0')
    })
  })

  describe('MediaRouter directories', () => {
    it('redirects a directory to its slash form, then serves its default file', async () => {
      const { url } = await site()
      const redirect = await fetch(`${url}/media/site?x=1`, { redirect: 'manual' })
      expect(redirect.status).toBe(301)
      expect(redirect.headers.get('location')).toBe('/media/site/?x=1')
      const page = await fetch(`${url}/media/site/`)
      expect(await page.text()).toBe('<h1>site</h1>')
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const bare = await fetch(`${url}/media`, { redirect: 'manual' })
      expect([bare.status, bare.headers.get('location')]).toEqual([308, '/media/'])
    })

    it('answers 404 for a directory without a default file unless indexes are shown', async () => {
      const { url } = await site()
      expect((await fetch(`${url}/media/sub/`)).status).toBe(404)
      expect((await fetch(`${url}/media/`)).status).toBe(404)
    })

    it('lists a directory, folders first, without dotfiles, names escaped', async () => {
      const { url } = await site({ showIndexes: true, defaultFile: false })
      const index = await fetch(`${url}/media/`)
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const html = await index.text()
      expect(html).toContain('<title>Index of /media/</title>')
      expect(html).not.toContain('../')
      expect(html).not.toContain('secret')
      expect(html).not.toContain('.hidden')
      expect(html).toContain('<a href="a%20b%26c.txt">')
      expect(html).toContain('>a b&#38;c.txt</a>')
      expect(html.indexOf('site/')).toBeLessThan(html.indexOf('hello.txt'))
      const sub = await (await fetch(`${url}/media/sub/`)).text()
      expect(sub).toContain('<a href="../">../</a>')
      expect(sub).toContain('<a href="a.txt">a.txt</a>')
      expect((await fetch(`${url}/media/site/`)).status).toBe(200)
    })
  })

  describe('MediaRouter serveOnly', () => {
    it('falls through to the next middleware for other types, and 404s a missing allowed one', async () => {
      const { url } = await site({ serveOnly: ['json', '.PNG'] })
      expect(await (await fetch(`${url}/media/data.json`)).text()).toBe('{"a":1}')
      expect((await fetch(`${url}/media/image.png`)).status).toBe(200)
      expect(await (await fetch(`${url}/media/hello.txt`)).text()).toBe('fell through')
      expect(await (await fetch(`${url}/media/foo`)).text()).toBe('fell through')
      expect(await (await fetch(`${url}/media/foo/bla`)).text()).toBe('fell through')
      expect((await fetch(`${url}/media/foo/bla.png`)).status).toBe(404)
    })
  })

  describe('MediaRouter refuses every way out of its directory', () => {
    const ATTEMPTS = [
      '/media/../package.json',
      '/media/../outside.txt',
      '/media/%2e%2e/outside.txt',
      '/media/%2E%2E/outside.txt',
      '/media/sub/../../outside.txt',
      '/media/sub/%2e%2e/%2e%2e/outside.txt',
      '/media/..%2f..%2foutside.txt',
      '/media/..%5c..%5coutside.txt',
      '/media/.%2e/outside.txt',
      '/media/./hello.txt',
      '/media/hello.txt%00.png',
      '/media/%00',
      '/media/link-out.txt',
      '/media/link-dir-out/x.txt',
      '/media/link-dir-out/',
      '/media/.secret',
      '/media/%2esecret',
      '/media/.hidden/file.txt',
      '/media/to-dotfile.txt',
      '/media//etc/passwd',
      '/media/%2Fetc%2Fpasswd',
    ]

    it.each(ATTEMPTS)('%s is a 404 and leaks nothing', async (path) => {
      const { url } = await site({ showIndexes: true })
      const response = await raw(url, path)
      expect(response.status).toBe(404)
      expect(response.body).not.toMatch(/OUTSIDE|secret|hidden|root:/)
    })

    it('keeps an absolute path inside the directory', async () => {
      const { url } = await site()
      const response = await raw(url, `/media/${encodeURIComponent(join(base, 'outside.txt'))}`)
      expect(response.status).toBe(404)
      expect(response.body).not.toContain('OUTSIDE')
    })

    it('still serves a symbolic link that stays inside, and dotfiles when asked', async () => {
      const { url } = await site({ dotfiles: true })
      expect(await (await fetch(`${url}/media/link-inside.txt`)).text()).toBe('Hello media\n')
      expect(await (await fetch(`${url}/media/.secret`)).text()).toBe('secret')
      expect((await fetch(`${url}/media/link-out.txt`)).status).toBe(404)
    })

    it('answers 404 while its directory does not exist', async () => {
      const missing = new MediaRouter('/m', join(base, 'missing'))
      const { url } = await t.serve(new WsgiHandler([missing]))
      expect((await fetch(`${url}/m/x.txt`)).status).toBe(404)
    })
  })
})

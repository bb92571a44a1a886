/** The httpbin example, route by route, over a real socket (as pulsar's tests/http suite does). */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'

import { beforeEach, describe, expect, it } from 'vitest'

import { HttpBin } from '../../examples/httpbin.js'
import { serve } from '../helpers/listen.js'
import { HANG_MS, listening, run } from '../helpers/process.js'
import { parseResponse, rawUntil } from '../helpers/raw.js'
import { transports } from '../helpers/transports.js'

let url: string
let port: number

const json = async (response: Response) => (await response.json()) as Record<string, unknown>

/** One raw request on a new connection: what was received once `done` holds. */
const raw = (request: string, done: (received: string) => boolean) => rawUntil(port, request, done)

describe.each(transports)('httpbin over $name', (t) => {
  const fetch = t.fetch

  beforeEach(async () => {
    ;({ url, port } = await t.serve(new HttpBin(), { stream_buffer: 2 ** 18 }))
  })

  describe('httpbin home and static files', () => {
    it('lists every route on an HTML home page, and HEAD has its headers', async () => {
      const home = await fetch(url)
      expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const html = await home.text()
      for (const route of [
        '/get',
        '/post',
        '/post_chunks',
        '/redirect/',
        '/stream/',
        '/basic-auth/',
        '/digest-auth/',
        '/response_headers',
        '/json',
        '/graph-data',
        '/media/',
      ])
        expect(html).toContain(`<code>${route}`)
      // GET routes are linked with pulsar's defaults
      for (const link of [
        '/redirect/5',
        '/getsize/150000',
        '/status/418',
        '/cookies/set/package/pulsar',
        '/basic-auth/username/password',
        '/digest-auth/username/password/auth',
        '/stream/300/20',
        '/clip/4096',
        '/websocket',
        '/stats',
        '/servername',
        '/pulsar',
      ])
        expect(html).toContain(`<a href="${link}"><code>`)
      const head = await fetch(url, { method: 'HEAD' })
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(html)))
      expect(await head.text()).toBe('')
    })

    it('answers 406 to a client that only accepts JSON on the home page', async () => {
      expect((await fetch(url, { headers: { Accept: 'application/json' } })).status).toBe(406)
    })

    it('serves /media/ as an index and its files with validators', async () => {
      const index = await (await fetch(`${url}/media/`)).text()
      expect(index).toContain('<a href="httpbin.css">httpbin.css</a>')
      expect(index).toContain('<a href="js/">js/</a>')
      const script = await fetch(`${url}/media/js/httpbin.js`)
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      const body = await script.text()
      expect(script.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
      const lastModified = script.headers.get('last-modified')!
      const again = await fetch(`${url}/media/js/httpbin.js`, {
        headers: { 'If-Modified-Since': lastModified },
      })
      expect(again.status).toBe(304)
      expect(again.headers.get('content-length')).toBeNull()
    })
  })

  describe('httpbin echo routes', () => {
    it('echoes GET args (repeated keys as lists), headers, origin and URL', async () => {
      const response = await fetch(`${url}/get?a=1&b=2&b=3`, { headers: { 'X-Test': 'yes' } })
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const body = await json(response)
      expect(body).toMatchObject({
        method: 'GET',
        args: { a: '1', b: ['2', '3'] },
        origin: '127.0.0.1',
        url: `${url}/get?a=1&b=2&b=3`,
      })
      expect((body.headers as Record<string, string>)['X-Test']).toBe('yes')
    })

    it.each(['post', 'put', 'patch', 'delete'])('echoes %s with a JSON body', async (method) => {
      const response = await fetch(`${url}/${method}?q=1`, {
        method: method.toUpperCase(),
        headers: { 'Content-Type': 'application/json' },
        body: '{"nested":[1,[2,3]]}',
      })
      expect(await json(response)).toMatchObject({
        method: method.toUpperCase(),
        args: { q: '1' },
        json: { nested: [1, [2, 3]] },
        data: '{"nested":[1,[2,3]]}',
        form: {},
        files: {},
      })
    })

    it('echoes urlencoded forms, repeated keys as lists', async () => {
      const response = await fetch(`${url}/post`, {
        method: 'POST',
        body: new URLSearchParams('numero=1&numero=2&name=pulsar'),
      })
      expect((await json(response)).form).toEqual({ numero: ['1', '2'], name: 'pulsar' })
    })

    it('echoes multipart forms with text and binary files', async () => {
      const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0xfe])
      const form = new FormData()
      form.append('name', 'pulsar')
      form.append('notes', new Blob(['some text'], { type: 'text/plain' }), 'notes.txt')
      form.append('image', new Blob([image], { type: 'image/png' }), 'image.png')
      const body = await json(await fetch(`${url}/put`, { method: 'PUT', body: form }))
      expect(body.form).toEqual({ name: 'pulsar' })
      expect(body.files).toEqual({
        notes: 'some text',
        image: `data:image/png;base64,${image.toString('base64')}`,
      })
    })

    it('answers malformed JSON with 400, a wrong method with 405, a body too large with 413', async () => {
      const bad = await fetch(`${url}/post`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":',
      })
      expect(bad.status).toBe(400)
      expect((await fetch(`${url}/post`)).status).toBe(405)
      const huge = new FormData()
      huge.append('file', new Blob([Buffer.alloc(2 ** 18 + 1)]), 'huge.bin')
      expect((await fetch(`${url}/post`, { method: 'POST', body: huge })).status).toBe(413)
    })

    it('streams PUT /upload files through a hash', async () => {
      const data = Buffer.alloc(100_000, 7)
      const form = new FormData()
      form.append('kind', 'bytes')
      form.append('blob', new Blob([data], { type: 'application/octet-stream' }), 'blob.bin')
      const body = await json(await fetch(`${url}/upload`, { method: 'PUT', body: form }))
      expect(body).toEqual({
        form: { kind: 'bytes' },
        files: [
          {
            field: 'blob',
            filename: 'blob.bin',
            type: 'application/octet-stream',
            size: 100_000,
            sha256: createHash('sha256').update(data).digest('hex'),
          },
        ],
      })
    })
  })

  describe('httpbin redirects, sizes, gzip and status', () => {
    it('chains /redirect/<n> down to /get', async () => {
      const response = await fetch(`${url}/redirect/6`)
      expect(response.url).toBe(`${url}/get`)
      const first = await fetch(`${url}/redirect/3`, { redirect: 'manual' })
      expect([first.status, first.headers.get('location')]).toEqual([302, '/redirect/2'])
      expect(
        (await fetch(`${url}/redirect/1`, { redirect: 'manual' })).headers.get('location'),
      ).toBe('/get')
      expect((await fetch(`${url}/redirect/11`)).status).toBe(404)
      expect((await fetch(`${url}/redirect/0`)).status).toBe(404)
    })

    it('serves /getsize/<size> with exactly that many bytes and a Content-Length', async () => {
      const response = await fetch(`${url}/getsize/150000`)
      expect(response.headers.get('content-length')).toBe('150000')
      expect(response.headers.get('transfer-encoding')).toBeNull()
      expect((await response.arrayBuffer()).byteLength).toBe(150000)
      expect((await fetch(`${url}/getsize/99999999`)).status).toBe(404)
    })

    it('gzips /gzip for clients that accept it', async () => {
      const compressed = await t.bytes(`${url}/gzip`, { headers: { 'Accept-Encoding': 'gzip' } })
      expect(compressed.headers['content-encoding']).toBe('gzip')
      expect(compressed.headers.vary).toBe('Accept-Encoding')
      expect(JSON.parse(gunzipSync(compressed.body).toString())).toMatchObject({ gzipped: true })
      const plain = await fetch(`${url}/gzip`, { headers: { 'Accept-Encoding': 'identity' } })
      expect(plain.headers.get('content-encoding')).toBeNull()
      expect(await json(plain)).toMatchObject({ gzipped: true, method: 'GET' })
    })

    it.each([200, 201, 204, 302, 304, 400, 404, 418, 500, 503, 599])(
      'answers /status/%i with that status',
      async (code) => {
        const response = await fetch(`${url}/status/${code}?message=custom`, { redirect: 'manual' })
        expect(response.status).toBe(code)
        const text = await response.text()
        if (code >= 400 && code < 500) expect(text).toBe('custom\n')
        if (code >= 500) expect(text).not.toContain('custom')
        if (code === 302) expect(response.headers.get('location')).toBe('/get')
      },
    )

    it('refuses informational and out-of-range /status codes', async () => {
      expect((await fetch(`${url}/status/100`)).status).toBe(400)
      expect((await fetch(`${url}/status/600`)).status).toBe(404)
      expect((await fetch(`${url}/status/99`)).status).toBe(404)
    })

    it('serves /json and /plaintext, the TechEmpower shapes', async () => {
      const data = await fetch(`${url}/json`)
      expect(data.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(await data.text()).toBe('{"message":"Hello, World!"}')
      const text = await fetch(`${url}/plaintext`)
      expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(await text.text()).toBe('Hello, World!')
    })
  })

  describe('httpbin headers, cookies, auth and streams', () => {
    it('sets /response-headers from the query and echoes them', async () => {
      const response = await fetch(`${url}/response-headers?X-One=1&X-Many=a&X-Many=b`)
      expect(response.headers.get('x-one')).toBe('1')
      expect(response.headers.get('x-many')).toBe('a, b')
      expect(await json(response)).toMatchObject({ 'X-One': '1', 'X-Many': ['a', 'b'] })
      const bad = await fetch(`${url}/response-headers?${encodeURIComponent('Bad Name')}=1`)
      expect(bad.status).toBe(400)
      const injection = await fetch(
        `${url}/response-headers?X-A=${encodeURIComponent('1\r\nX-B: 2')}`,
      )
      expect(injection.status).toBe(400)
    })

    it('sets, echoes and deletes cookies', async () => {
      const set = await fetch(`${url}/cookies/set/flavour/oatmeal`, { redirect: 'manual' })
      expect(set.status).toBe(302)
      expect(set.headers.get('location')).toBe('/cookies')
      expect(set.headers.getSetCookie()).toEqual(['flavour=oatmeal; Path=/'])
      const echoed = await fetch(`${url}/cookies`, { headers: { Cookie: 'flavour=oatmeal; n=1' } })
      expect(await json(echoed)).toEqual({ cookies: { flavour: 'oatmeal', n: '1' } })
      const deleted = await fetch(`${url}/cookies/delete/flavour`, { redirect: 'manual' })
      expect(deleted.headers.getSetCookie()[0]).toMatch(/^flavour=; Max-Age=0; /)
      expect((await fetch(`${url}/cookies/set/${encodeURIComponent('a;b')}/x`)).status).toBe(400)
    })

    it('challenges /basic-auth with 401, then lets the right user in', async () => {
      const anonymous = await fetch(`${url}/basic-auth/luca/secret`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="httpbin"')
      const auth = (credentials: string) => ({
        headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      })
      expect((await fetch(`${url}/basic-auth/luca/secret`, auth('luca:wrong'))).status).toBe(401)
      expect((await fetch(`${url}/basic-auth/luca/secret`, auth('luca:secret!'))).status).toBe(401)
      const ok = await fetch(`${url}/basic-auth/luca/secret`, auth('luca:secret'))
      expect(await json(ok)).toEqual({ authenticated: true, user: 'luca' })
    })

    it('streams /stream/<m>/<n> as n chunks of m bytes', async () => {
      const large = await fetch(`${url}/stream/100000/3`)
      expect((await large.arrayBuffer()).byteLength).toBe(300_000)
      expect((await fetch(`${url}/stream/0/1`)).status).toBe(404)
      expect((await fetch(`${url}/stream/1/1001`)).status).toBe(404)
    })

    it('redirects a path with // to the clean one, query kept (cleanPathMiddleware)', async () => {
      const response = await fetch(`${url}//get//?a=1`, { redirect: 'manual' })
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe('/get/?a=1')
    })
  })

  describe("httpbin's route defaults (pulsar's)", () => {
    /** Follows redirects from `path` on one connection (one HTTP/2 session): the hops and the last body. */
    async function follow(
      path: string,
    ): Promise<{ hops: string[]; body: Record<string, unknown> }> {
      const connection = await t.connect(url)
      const hops: string[] = []
      for (;;) {
        const { status, headers, body } = await connection.get(path)
        if (status !== 302) return { hops, body: JSON.parse(body) as Record<string, unknown> }
        hops.push((path = headers.location!))
      }
    }

    it('serves /redirect as /redirect/5, every hop on one connection', async () => {
      const bare = await follow('/redirect')
      expect(bare.hops).toEqual([
        '/redirect/4',
        '/redirect/3',
        '/redirect/2',
        '/redirect/1',
        '/get',
      ])
      expect(bare.body.pulsar).toMatchObject({ processed: 6 })
      // pulsar's test_redirect_6: 6 hops, 7 requests on one connection
      const six = await follow('/redirect/6')
      expect(six.hops).toHaveLength(6)
      expect(six.body.pulsar).toMatchObject({ processed: 7 })
    })

    it('serves /getsize, /status, /stream and /cookies/set with their defaults', async () => {
      const size = await fetch(`${url}/getsize`)
      expect((await size.arrayBuffer()).byteLength).toBe(150000)
      expect((await fetch(`${url}/status`)).status).toBe(418)
      expect(await (await fetch(`${url}/stream`)).text()).toBe('a'.repeat(300 * 20))
      const cookie = await fetch(`${url}/cookies/set`, { redirect: 'manual' })
      expect(cookie.headers.getSetCookie()).toEqual(['package=pulsar; Path=/'])
    })

    it('challenges /basic-auth for username:password', async () => {
      expect((await fetch(`${url}/basic-auth`)).status).toBe(401)
      const credentials = Buffer.from('username:password').toString('base64')
      const ok = await fetch(`${url}/basic-auth`, {
        headers: { Authorization: `Basic ${credentials}` },
      })
      expect(await json(ok)).toEqual({ authenticated: true, user: 'username' })
    })
  })

  describe('httpbin answers bad input with a 4xx', () => {
    it('refuses to delete a cookie whose name is not a token', async () => {
      for (const name of ['a%3Bb', 'a%20b', '%22q%22', 'a%3Db']) {
        const response = await fetch(`${url}/cookies/delete/${name}`, { redirect: 'manual' })
        expect(response.status).toBe(400)
        expect(await response.text()).toMatch(/Invalid cookie name/)
      }
    })

    it.each(['response-headers', 'response_headers'])(
      'refuses framing and hop-by-hop headers on /%s',
      async (route) => {
        for (const name of [
          'Content-Length',
          'content-length',
          'Transfer-Encoding',
          'Connection',
          'Keep-Alive',
          'Upgrade',
          'TE',
          'Trailer',
          'Proxy-Authenticate',
        ]) {
          const response = await fetch(`${url}/${route}?${name}=5`)
          expect(response.status).toBe(400)
          expect(await response.text()).toContain(name)
        }
        expect((await fetch(`${url}/${route}?X-Fine=1`)).status).toBe(200)
      },
    )

    it('refuses a body in a charset it cannot decode with 415', async () => {
      for (const type of [
        'text/plain; charset=bogus',
        'application/json; charset=bogus',
        'application/x-www-form-urlencoded; charset=bogus',
      ]) {
        const response = await fetch(`${url}/post`, {
          method: 'POST',
          headers: { 'Content-Type': type },
          body: 'a=1',
        })
        expect(response.status).toBe(415)
      }
    })

    it('refuses JSON nested deeper than 128 levels with 400, where an echo of it would overflow', async () => {
      // one level past the limit, and 100 000 (200 KB, read from the socket in many chunks)
      for (const depth of [129, 100_000]) {
        const response = await fetch(`${url}/post`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: '['.repeat(depth) + ']'.repeat(depth),
        })
        expect(response.status).toBe(400)
        expect(await json(response)).toEqual({
          status: 400,
          message: 'The JSON body nests deeper than 128 levels',
        })
      }
      const within = await fetch(`${url}/post`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '['.repeat(128) + ']'.repeat(128),
      })
      expect((await json(within)).json).toEqual(JSON.parse('['.repeat(128) + ']'.repeat(128)))
    })

    it('echoes every key as sent, __proto__ included, and repeated files as lists', async () => {
      const args = (await json(await fetch(`${url}/get?__proto__=x&__proto__=y&a=1`))).args
      expect(Object.entries(args as object)).toEqual([
        ['__proto__', ['x', 'y']],
        ['a', '1'],
      ])
      const form = new FormData()
      form.append('doc', new Blob(['one']), 'one.txt')
      form.append('doc', new Blob(['two']), 'two.txt')
      const body = await json(await fetch(`${url}/post`, { method: 'POST', body: form }))
      expect(body.files).toEqual({ doc: ['one', 'two'] })
    })
  })
})

describe('httpbin over HTTP/1.1 framing', () => {
  beforeEach(async () => {
    ;({ url, port } = await serve(new HttpBin(), { stream_buffer: 2 ** 18 }))
  })

  it('refuses POST /expect with 417 before the body is sent', async () => {
    const received = await raw(
      'POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      (text) => text.includes('\r\n\r\n'),
    )
    expect(parseResponse(received).status).toBe(417)
    expect(received).not.toContain('100 Continue')
  })

  it('streams /stream/<m>/<n> as n chunks of m bytes, chunked', async () => {
    const received = await raw('GET /stream/3000/10 HTTP/1.1\r\nHost: x\r\n\r\n', (text) =>
      text.endsWith('\r\n0\r\n\r\n'),
    )
    const { headers, body } = parseResponse(received)
    expect(headers['transfer-encoding']).toBe('chunked')
    expect(headers['content-length']).toBeUndefined()
    expect(body.match(/\r\nbb8\r\n|^bb8\r\n/g)).toHaveLength(10)
  })

  it('answers an unknown path with 404 and keeps the connection', async () => {
    const received = await raw(
      'GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n',
      (text) => text.includes('Hello, World!'),
    )
    expect(parseResponse(received).status).toBe(404)
    expect(received).toContain('{"message":"Hello, World!"}')
  })
})

describe('npm start', { timeout: 2 * HANG_MS }, () => {
  it('serves httpbin from the start script', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> }
    expect(pkg.scripts.start).toBe('tsx examples/httpbin.ts')
    const httpbin = run(['examples/httpbin.ts', '--bind', '127.0.0.1:0'])
    const served = await listening(httpbin)
    expect(await (await fetch(`${served}/plaintext`)).text()).toBe('Hello, World!')
  })
})

/**
 * httpbin's endpoints added after the first cut, over a real socket as
 * pulsar's tests/http suite exercises them: /response_headers, /post_chunks,
 * /stats, /servername, /pulsar, /clip, /websocket and /graph-data.
 */
import { readFile } from 'node:fs/promises'

import { beforeEach, describe, expect, it } from 'vitest'

import { HttpBin, PULSAR_NAMES } from '../../examples/httpbin.js'
import { type Served, serve } from '../helpers/listen.js'
import { hasWholeResponse, parseResponse, rawExchange, rawUntil } from '../helpers/raw.js'
import { TestClient } from '../helpers/ws.js'

const CLIP = new URL('../../examples/media/clip.mp4', import.meta.url)

let served: Served
let url: string

beforeEach(async () => {
  served = await serve(new HttpBin(), { stream_buffer: 2 ** 18 })
  url = served.url
})

const json = async (response: Response) => (await response.json()) as Record<string, unknown>

/** The headers of a raw response head, repeated names as lists, names as sent. */
function sentHeaders(received: string): Record<string, string | string[]> {
  const head = received.slice(0, received.indexOf('\r\n\r\n'))
  const headers: Record<string, string | string[]> = {}
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    const [name, value] = [line.slice(0, colon), line.slice(colon + 1).trim()]
    const previous = headers[name]
    headers[name] = previous === undefined ? value : [previous, value].flat()
  }
  return headers
}

/** The body of a chunked response, unchunked. */
function unchunk(body: string): string {
  let text = ''
  for (let at = 0; ;) {
    const eol = body.indexOf('\r\n', at)
    const size = parseInt(body.slice(at, eol), 16)
    if (!size) return text
    text += body.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}

describe('/response_headers', () => {
  it('answers with the headers exactly as they went out, chunked included', async () => {
    const received = await rawUntil(
      served.port,
      'GET /response_headers?X-One=1&X-Many=a&X-Many=b HTTP/1.1\r\nHost: x\r\n\r\n',
      (text) => text.endsWith('\r\n0\r\n\r\n'),
    )
    const echoed = JSON.parse(unchunk(parseResponse(received).body)) as Record<string, unknown>
    expect(echoed).toEqual(sentHeaders(received))
    // pulsar's test_response_headers
    expect(echoed).toMatchObject({
      'Transfer-Encoding': 'chunked',
      'X-One': '1',
      'X-Many': ['a', 'b'],
      'Content-Type': 'application/json; charset=utf-8',
      Server: expect.stringMatching(/^pulsar-ts\//) as unknown,
      Date: expect.any(String) as unknown,
    })
  })

  it('shows Connection: close and no chunking to an HTTP/1.0 client', async () => {
    // the server closes the connection once the body is sent
    const received = await rawExchange(
      served.port,
      'GET /response_headers HTTP/1.0\r\nHost: x\r\n\r\n',
    )
    const echoed = JSON.parse(parseResponse(received).body) as Record<string, unknown>
    expect(echoed).toEqual(sentHeaders(received))
    expect(echoed['Transfer-Encoding']).toBeUndefined()
    expect(echoed.Connection).toBe('close')
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${url}/response_headers`, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })
})

describe('/post_chunks', () => {
  it('echoes a streamed body byte for byte, with its Content-Type (test_post_iterator)', async () => {
    const parts = [Buffer.alloc(100, 1), Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(197, 'z')]
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(part)
        controller.close()
      },
    })
    const response = await fetch(`${url}/post_chunks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-pulsar' },
      body,
      duplex: 'half',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-pulsar')
    expect(response.headers.get('content-length')).toBe('300')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.concat(parts))
  })

  it('refuses GET with 405 and a body over stream_buffer with 413', async () => {
    expect((await fetch(`${url}/post_chunks`)).status).toBe(405)
    const big = await fetch(`${url}/post_chunks`, {
      method: 'POST',
      body: Buffer.alloc(2 ** 18 + 1),
    })
    expect(big.status).toBe(413)
  })
})

describe('/stats, /servername and /pulsar', () => {
  it("reports the server's figures and the connection of the request", async () => {
    const stats = await json(await fetch(`${url}/stats`))
    expect(stats.server).toMatchObject({
      software: expect.stringMatching(/^pulsar-ts\//) as unknown,
      url,
      pid: process.pid,
      workers: 0,
      requests: expect.any(Number) as unknown,
      connections: expect.any(Number) as unknown,
    })
    expect((stats.server as { requests: number }).requests).toBeGreaterThanOrEqual(1)
    expect(stats.connection).toMatchObject({ processed: 1 })
  })

  it('names the server by the address it answered on, whatever the Host says (test_servername)', async () => {
    const received = await rawUntil(
      served.port,
      'GET /servername HTTP/1.1\r\nHost: fake.example.com\r\n\r\n',
      hasWholeResponse,
    )
    const { status, headers, body } = parseResponse(received)
    expect([status, headers['content-type'], body]).toEqual([
      200,
      'text/plain; charset=utf-8',
      '127.0.0.1\n',
    ])
  })

  it('answers /pulsar with four UTF-8 strings (test_json_utf8)', async () => {
    const response = await fetch(`${url}/pulsar`)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(response.headers.get('content-length')).toBe(String(bytes.length))
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(['pulsar', 'パルサー', '脉冲星', 'पल्सर'])
    expect(PULSAR_NAMES).toHaveLength(4)
  })
})

describe('/clip/<chunk_size>', () => {
  it('serves the clip whole, by range, and at the default chunk size', async () => {
    const clip = await readFile(CLIP)
    for (const path of ['/clip/256', '/clip/4096', '/clip/16777216', '/clip']) {
      const response = await fetch(`${url}${path}`)
      expect(response.headers.get('content-type')).toBe('video/mp4')
      expect(response.headers.get('content-length')).toBe(String(clip.length))
      expect(Buffer.from(await response.arrayBuffer())).toEqual(clip)
    }
    // a player seeks with ranges
    const range = await fetch(`${url}/clip/1024`, { headers: { Range: 'bytes=100-1099' } })
    expect(range.status).toBe(206)
    expect(Buffer.from(await range.arrayBuffer())).toEqual(clip.subarray(100, 1100))
  })

  it('answers a chunk size that is not a number in range with 404', async () => {
    for (const size of ['abc', '255', '16777217', '99999999999999999999', '-1', '1e3'])
      expect((await fetch(`${url}/clip/${size}`)).status).toBe(404)
  })
})

describe('/websocket and /graph-data', () => {
  it('serves the graph page, which opens /graph-data', async () => {
    const page = await fetch(`${url}/websocket`)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await page.text()
    expect(html).toContain("'/graph-data'")
    expect(html).toContain('<canvas id="graph"')
    // self-contained: no script or style from anywhere else
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//)
  })

  it('answers every message on /graph-data with 100 random points', async () => {
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/graph-data`)
    for (const message of ['hi there', 'more data']) {
      const points = JSON.parse((await client.ask(message)) as string) as { x: number; y: number }[]
      expect(points).toHaveLength(100)
      points.forEach((point, i) => {
        expect(point.x).toBe(i)
        expect(point.y).toBeGreaterThanOrEqual(0)
        expect(point.y).toBeLessThan(1)
      })
    }
  })

  it('answers a plain GET of /graph-data with 400', async () => {
    expect((await fetch(`${url}/graph-data`)).status).toBe(400)
  })
})

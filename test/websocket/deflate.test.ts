/** permessage-deflate (RFC 7692) over real sockets: the offers clients send, the answer, and messages both ways. */
import { connect } from 'node:net'
import { deflateRawSync } from 'node:zlib'

import { describe, expect, it } from 'vitest'
import type { PerMessageDeflateOptions } from 'ws'

import { WsgiHandler } from 'pulsar-ts'
import { WebSocket, type WebSocketOptions, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { DeflateClient, windowProbe } from '../helpers/deflate.js'
import { serve } from '../helpers/listen.js'
import { parseResponse, rawExchange } from '../helpers/raw.js'
import {
  TestClient,
  eventually,
  frame,
  handshakeRequest,
  receivedCloseCode,
} from '../helpers/ws.js'

const echo = {
  onMessage: (ws: WebSocketProtocol, text: string) => ws.write(text),
  onBytes: (ws: WebSocketProtocol, bytes: Buffer) => ws.write(bytes),
}

async function open(perMessageDeflate?: WebSocketOptions['perMessageDeflate']) {
  const options = perMessageDeflate === undefined ? {} : { perMessageDeflate }
  const served = await serve(new WsgiHandler([new WebSocket('/ws', echo, options)]))
  return { ...served, wsUrl: served.url.replace(/^http/, 'ws') + '/ws' }
}

// toEqual on 100 KiB buffers takes seconds
const same = (received: Buffer, sent: Buffer) => Buffer.compare(received, sent) === 0

const BITS = [8, 9, 10, 11, 12, 13, 14, 15]
// the safe defaults (perMessageDeflate: true): no context takeover, windows of at most 12 bits
const SAFE = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'
const safe = (server: number, client?: number) =>
  `${SAFE}; server_max_window_bits=${server}` +
  (client === undefined ? '' : `; client_max_window_bits=${client}`)
// context kept both ways and 15-bit windows: the client's offer decides
const ROOMY = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
}

describe('the answer to an offer', () => {
  const answers: [offer: string, answer: string][] = [
    ['permessage-deflate', safe(12)], // Firefox, Safari
    ['permessage-deflate; client_max_window_bits', safe(12, 12)], // Chrome, ws
    // Autobahn 13.3 and 13.5
    ['permessage-deflate; server_max_window_bits=9; client_max_window_bits', safe(9, 12)],
    [
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits',
      safe(9, 12),
    ],
    ['permessage-deflate; client_no_context_takeover', safe(12)],
    ['permessage-deflate; client_max_window_bits="10"', safe(12, 10)],
    ...BITS.map((bits): [string, string] => [
      `permessage-deflate; server_max_window_bits=${bits}`,
      safe(Math.min(bits, 12)),
    ]),
    ...BITS.map((bits): [string, string] => [
      `permessage-deflate; client_max_window_bits=${bits}`,
      safe(12, Math.min(bits, 12)),
    ]),
    // the first valid offer wins; other extensions are not the server's
    [
      'permessage-deflate; server_max_window_bits=16, permessage-deflate; server_max_window_bits=10; client_max_window_bits',
      safe(10, 12),
    ],
    ['permessage-deflate; server_max_window_bits=11, permessage-deflate', safe(11)],
    ['x-webkit-deflate-frame, permessage-deflate; client_max_window_bits', safe(12, 12)],
  ]

  for (const [offer, answer] of answers)
    it(`accepts ${offer}`, async () => {
      const { port } = await open(true)
      const client = await DeflateClient.connect(port, '/ws', offer)
      client.close()
      expect(client.answer).toBe(answer)
    })

  const roomy: [offer: string, answer: string][] = [
    ['permessage-deflate', 'permessage-deflate'],
    ['permessage-deflate; client_max_window_bits', 'permessage-deflate'],
    [
      'permessage-deflate; server_no_context_takeover',
      'permessage-deflate; server_no_context_takeover',
    ],
    [
      'permessage-deflate; client_no_context_takeover',
      'permessage-deflate; client_no_context_takeover',
    ],
    [
      'permessage-deflate; server_max_window_bits=15',
      'permessage-deflate; server_max_window_bits=15',
    ],
    [
      'permessage-deflate; client_max_window_bits=11',
      'permessage-deflate; client_max_window_bits=11',
    ],
  ]

  for (const [offer, answer] of roomy)
    it(`accepts ${offer} as asked when the route allows 15 bits and context takeover`, async () => {
      const { port } = await open(ROOMY)
      const client = await DeflateClient.connect(port, '/ws', offer)
      client.close()
      expect(client.answer).toBe(answer)
    })

  // RFC 7692 §7: an offer with an unknown, repeated or invalid parameter is declined
  const declined = [
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=08',
    'permessage-deflate; server_max_window_bits=1e1',
    'permessage-deflate; server_max_window_bits=9.0',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; client_max_window_bits=0x0a',
    'permessage-deflate; server_no_context_takeover=true',
    'permessage-deflate; client_no_context_takeover=1',
    'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10',
    'permessage-deflate; client_max_window_bits; client_max_window_bits',
    'permessage-deflate; mux',
    'permessage-deflate; server_max_window_bits=7, permessage-deflate; foo=1',
    'x-webkit-deflate-frame',
  ]

  for (const offer of declined)
    it(`declines ${offer}: the socket opens without compression`, async () => {
      const { port } = await open(true)
      const client = await DeflateClient.connect(port, '/ws', offer)
      const data = windowProbe()
      const echoed = await client.ask(data)
      client.close()
      expect(client.answer).toBeUndefined()
      expect(echoed.compressed).toBe(false)
      expect(same(echoed.data, data)).toBe(true)
    })

  it('refuses a malformed extension header with 400', async () => {
    const { port } = await open(true)
    const request = handshakeRequest('/ws', { 'Sec-WebSocket-Extensions': 'permessage-deflate;;' })
    expect(parseResponse(await rawExchange(port, request)).status).toBe(400)
  })

  it('ignores the header when off, as it is by default', async () => {
    const { port, wsUrl } = await open()
    const client = await TestClient.connect(wsUrl, [], { perMessageDeflate: true })
    expect(client.socket.extensions).toBe('')
    expect(await client.ask('plain')).toBe('plain')
    // not even parsed: a malformed header is no reason to refuse
    const raw = await DeflateClient.connect(port, '/ws', 'permessage-deflate;;')
    raw.close()
    expect(raw.answer).toBeUndefined()
  })
})

describe('messages both ways, within what was agreed', () => {
  /**
   * Two window probes each way: the server must inflate what the client
   * compressed with the largest window (and context) the answer allows it,
   * and compress within the window (and context) it announced.
   */
  async function roundTrip(port: number, offer: string): Promise<string | undefined> {
    const client = await DeflateClient.connect(port, '/ws', offer)
    try {
      const data = windowProbe()
      for (let i = 0; i < 2; i++) {
        const echoed = await client.ask(data)
        expect(echoed.compressed).toBe(true)
        expect(same(echoed.data, data)).toBe(true)
      }
      return client.answer
    } finally {
      client.close()
    }
  }

  const offers = [
    ...BITS.map(
      (bits) => `permessage-deflate; server_max_window_bits=${bits}; client_max_window_bits`,
    ),
    ...BITS.map((bits) => `permessage-deflate; client_max_window_bits=${bits}`),
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate',
  ]

  for (const offer of offers)
    it(`round-trips with ${offer}`, async () => {
      const { port } = await open(true)
      expect(await roundTrip(port, offer)).toMatch(/^permessage-deflate/)
    })

  for (const offer of [
    'permessage-deflate',
    'permessage-deflate; client_max_window_bits=9',
    'permessage-deflate; server_max_window_bits=10',
    'permessage-deflate; server_no_context_takeover',
    'permessage-deflate; client_no_context_takeover',
  ])
    it(`round-trips with ${offer}, context kept where agreed`, async () => {
      const { port } = await open(ROOMY)
      expect(await roundTrip(port, offer)).toMatch(/^permessage-deflate/)
    })
})

describe('the ws client', () => {
  const offers: [PerMessageDeflateOptions, string][] = [
    [{}, safe(12, 12)],
    // false offers no client_max_window_bits, as Firefox (ws's types do not say it may)
    [{ clientMaxWindowBits: false } as unknown as PerMessageDeflateOptions, safe(12)],
    [{ serverNoContextTakeover: true, serverMaxWindowBits: 9 }, safe(9, 12)], // Autobahn 13.5
    ...BITS.map((bits): [PerMessageDeflateOptions, string] => [
      { serverMaxWindowBits: bits },
      safe(Math.min(bits, 12), 12),
    ]),
    ...BITS.map((bits): [PerMessageDeflateOptions, string] => [
      { clientMaxWindowBits: bits },
      safe(12, Math.min(bits, 12)),
    ]),
  ]

  for (const [offer, answer] of offers)
    it(`negotiates ${JSON.stringify(offer)} and round-trips`, async () => {
      const { wsUrl } = await open({ threshold: 0 })
      const client = await TestClient.connect(wsUrl, [], { perMessageDeflate: offer })
      expect(client.headers['sec-websocket-extensions']).toBe(answer)
      const text = 'compress me '.repeat(2000)
      for (let i = 0; i < 2; i++) expect(await client.ask(text)).toBe(text)
      const bytes = windowProbe()
      expect(same((await client.ask(bytes)) as Buffer, bytes)).toBe(true)
    })
})

describe('limits', () => {
  it('closes with 1009 on a compressed message that inflates past maxPayload (zip bomb)', async () => {
    const route = new WebSocket('/ws', echo, { perMessageDeflate: true, maxPayload: 64 * 1024 })
    const { port } = await serve(new WsgiHandler([route]))
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => undefined)
    let received = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(
      handshakeRequest('/ws', {
        'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
      }),
    )
    await eventually(() => received.includes('\r\n\r\n'))
    expect(received.toString('latin1')).toContain('permessage-deflate')
    // 8 MiB of zeros, a few KiB on the wire (RFC 7692 §7.2.1: the empty block tail is dropped)
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024), { finishFlush: 2 }).subarray(0, -4)
    socket.write(frame(2, bomb, { rsv1: true }))
    await closed
    expect(receivedCloseCode(received.toString('latin1'))).toBe(1009)
  })
})

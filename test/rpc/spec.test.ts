/**
 * The 15 examples of section 7 of the JSON-RPC 2.0 specification, exactly,
 * in process and over a socket; and the requests beyond them (edge-cases.ts)
 * over HTTP and over a WebSocket.
 */
import { beforeEach, describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { JsonRpc, RpcError } from 'pulsar-ts/rpc'
import { WebSocket } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { transports } from '../helpers/transports.js'
import { comparable, fetchRpc, injectRpc, replyIds } from '../helpers/rpc.js'
import { TestClient } from '../helpers/ws.js'
import { edgeCases, unexpressible } from './edge-cases.js'
import { specCases } from './spec-cases.js'

let ran: unknown[][] = []

const service = new JsonRpc({
  methods: {
    subtract: (_request, minuend: number, subtrahend: number) => minuend - subtrahend,
    sum: (_request, ...values: number[]) => values.reduce((total, value) => total + value, 0),
    get_data: (_request) => ['hello', 5],
    update: (_request, ...values: unknown[]) => void ran.push(['update', ...values]),
    notify_hello: (_request, ...values: unknown[]) => void ran.push(['notify_hello', ...values]),
    notify_sum: (_request, ...values: unknown[]) => void ran.push(['notify_sum', ...values]),
    echo: (_request, value: unknown) => value,
    unexpressible: (_request, kind: string) => unexpressible[kind]!(),
    unexpressible_data: (_request, kind: string) => {
      throw new RpcError(-32001, 'Bad data', unexpressible[kind]!())
    },
    holes: (_request) => [undefined, { a: undefined, f: () => 1 }, () => 1],
  },
})

beforeEach(() => {
  ran = []
})

describe('JSON-RPC 2.0 specification, section 7, in process', () => {
  it.each(specCases)('$name', async ({ request, expected }) => {
    const res = await injectRpc(service, request)
    if (expected === null) {
      expect(res.status).toBe(204)
      expect(res.body.length).toBe(0)
      return
    }
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const reply = res.json()
    expect(Array.isArray(reply)).toBe(Array.isArray(expected))
    expect(comparable(reply)).toEqual(comparable(expected))
  })

  it('runs the notifications it does not answer', async () => {
    await injectRpc(service, specCases[4]!.request)
    await injectRpc(service, specCases[13]!.request)
    await injectRpc(service, specCases[14]!.request)
    expect(ran).toEqual([
      ['update', 1, 2, 3, 4, 5],
      ['notify_hello', 7],
      expect.anything(),
      expect.anything(),
    ])
    expect(ran.slice(2)).toEqual(
      expect.arrayContaining([
        ['notify_sum', 1, 2, 4],
        ['notify_hello', 7],
      ]),
    )
  })
})

describe.each(transports)('JSON-RPC over HTTP, $name', (t) => {
  it('answers every example of section 7 exactly', async () => {
    const { url } = await t.serve(new WsgiHandler([service]))
    for (const { name, request, expected } of specCases) {
      const res = await fetchRpc(url, request, {}, t.fetch)
      const text = await res.text()
      if (expected === null) {
        expect([name, res.status, text]).toEqual([name, 204, ''])
        continue
      }
      expect([name, res.status]).toEqual([name, 200])
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const reply: unknown = JSON.parse(text)
      expect([name, comparable(reply)]).toEqual([name, comparable(expected)])
    }
  })

  // expect.soft: one run lists every case that fails, not the first
  it('answers each over HTTP as the spec and docs/rpc.md say, ids exactly as sent', async () => {
    const { url } = await t.serve(new WsgiHandler([service]))
    for (const { name, request, expected, ids } of edgeCases) {
      const res = await fetchRpc(url, request, {}, t.fetch)
      const text = await res.text()
      if (expected === null) {
        expect.soft([name, res.status, text]).toEqual([name, 204, ''])
        continue
      }
      expect.soft([name, res.status]).toEqual([name, 200])
      const reply: unknown = JSON.parse(text)
      expect.soft([name, comparable(reply)]).toEqual([name, comparable(expected)])
      if (ids) expect.soft([name, replyIds(text)]).toEqual([name, ids.slice().sort()])
    }
  })
})

describe('requests beyond the examples, over a WebSocket', () => {
  it('answers each over a WebSocket the same way', async () => {
    const { url } = await serve(new WsgiHandler([new WebSocket('/rpc', service)]))
    const client = await TestClient.connect(url.replace(/^http/, 'ws') + '/rpc')
    const after = '{"jsonrpc":"2.0","method":"subtract","params":[1,1],"id":"after"}'
    for (const { name, request, expected, ids } of edgeCases) {
      if (expected === null) {
        // nothing comes back: the next reply is that of the next call
        client.socket.send(request)
        const next = (await client.ask(after)) as string
        expect
          .soft([name, JSON.parse(next)])
          .toEqual([name, { jsonrpc: '2.0', id: 'after', result: 0 }])
        continue
      }
      const text = (await client.ask(request)) as string
      expect.soft([name, comparable(JSON.parse(text))]).toEqual([name, comparable(expected)])
      if (ids) expect.soft([name, replyIds(text)]).toEqual([name, ids.slice().sort()])
    }
  })
})

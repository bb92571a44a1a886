/** The 15 examples of section 7 of the JSON-RPC 2.0 specification, exactly, in process and over a socket. */
import { beforeEach, describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { JsonRpc } from 'pulsar-ts/rpc'

import { serve } from '../helpers/listen.js'
import { comparable, fetchRpc, injectRpc } from '../helpers/rpc.js'
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

describe('JSON-RPC 2.0 specification, section 7, over a socket', () => {
  it('answers every example exactly', async () => {
    const { url } = await serve(new WsgiHandler([service]))
    for (const { name, request, expected } of specCases) {
      const res = await fetchRpc(url, request)
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
})

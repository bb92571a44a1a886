/**
 * start_response and write as PEP 3333 and pulsar define them, through the
 * real response machinery (inject).
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'
import { inject } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { capturingLogger } from '../helpers/logger.js'
import { rawUntil } from '../helpers/raw.js'

describe('start_response', () => {
  it('refuses a second call without excInfo', async () => {
    let error: unknown
    await inject((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      try {
        startResponse('500 Internal Server Error', [])
      } catch (e) {
        error = e
      }
      return ['body']
    })
    expect((error as Error).message).toMatch(/second time without excInfo/)
  })

  it('replaces status and headers when called again with excInfo before they were sent', async () => {
    const res = await inject((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['X-First', '1']])
      startResponse('503 Service Unavailable', [['X-Second', '2']], new Error('handled'))
      return ['replaced']
    })
    expect(res.status).toBe(503)
    expect(res.headers.has('X-First')).toBe(false)
    expect(res.headers.get('X-Second')).toBe('2')
    expect(res.text).toBe('replaced')
  })

  it('rethrows excInfo once the headers went out', async () => {
    let caught: unknown
    const cause = new Error('too late')
    await inject(async (_environ: Environ, startResponse: StartResponse) => {
      const write = startResponse('200 OK', [])
      await write('sent')
      try {
        startResponse('500 Internal Server Error', [], cause)
      } catch (error) {
        caught = error
      }
      return []
    })
    expect(caught).toBe(cause)
  })

  it('keeps the status line reason the application gave, or uses the standard one', async () => {
    expect(
      (await inject((_e: Environ, sr: StartResponse) => (sr('200 Fine', []), []))).reason,
    ).toBe('Fine')
    expect((await inject((_e: Environ, sr: StartResponse) => (sr('418', []), []))).reason).toBe(
      "I'm a Teapot",
    )
  })

  it('answers 500 for a malformed status line or header', async () => {
    const log = capturingLogger()
    const cases: [string, [string, string][]][] = [
      ['ok', []],
      ['99 Low', []],
      ['100 Continue', []],
      ['101 Switching Protocols', []],
      ['200 OK\r\nX-Injected: 1', []],
      ['200 OK', [['Bad Name', 'v']]],
      ['200 OK', [['X-Split', 'a\r\nX-Injected: 1']]],
      ['200 OK', [['Content-Length', '-1']]],
    ]
    for (const [status, headers] of cases) {
      const res = await inject(
        (_environ: Environ, startResponse: StartResponse) => {
          startResponse(status, headers)
          return []
        },
        { logger: log.logger },
      )
      expect(res.status, status).toBe(500)
      expect(res.headers.has('X-Injected')).toBe(false)
    }
    expect(log.errors()).toHaveLength(cases.length)
  })

  it('answers 500 when the application returns without calling start_response', async () => {
    const log = capturingLogger()
    const res = await inject(() => ['orphan'], { logger: log.logger })
    expect(res.status).toBe(500)
    expect(log.errors()[0]!.err!.message).toMatch(/without calling start_response/)
  })

  it('keeps an application Server or Date header instead of adding one', async () => {
    const res = await inject((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [
        ['Server', 'custom'],
        ['Date', 'Thu, 01 Jan 1970 00:00:00 GMT'],
      ])
      return []
    })
    expect(res.headers.getAll('Server')).toEqual(['custom'])
    expect(res.headers.getAll('Date')).toEqual(['Thu, 01 Jan 1970 00:00:00 GMT'])
  })

  it('reports headers and chunking through the consumer (pulsar.cache)', async () => {
    const seen: { chunked: boolean[]; sent: boolean[]; names: string[] } = {
      chunked: [],
      sent: [],
      names: [],
    }
    await inject(async (environ: Environ, startResponse: StartResponse) => {
      const consumer = environ['pulsar.cache']
      const write = startResponse('200 OK', [['Content-Type', 'text/plain']])
      seen.chunked.push(consumer.isChunked())
      seen.sent.push(consumer.headersSent)
      await write('x')
      seen.sent.push(consumer.headersSent)
      seen.names = consumer.getHeaders().map(([name]) => name)
      return []
    })
    expect(seen.chunked).toEqual([true])
    expect(seen.sent).toEqual([false, true])
    expect(seen.names).toEqual(['Content-Type', 'Server'])
    await inject(
      (environ: Environ, startResponse: StartResponse) => {
        startResponse('200 OK', [['Content-Length', '1']])
        seen.chunked.push(environ['pulsar.cache'].isChunked())
        return ['x']
      },
      { httpVersion: '1.0' },
    )
    expect(seen.chunked).toEqual([true, false])
  })

  it('gives the head exactly as it went out, once sent (pulsar on_headers)', async () => {
    const heads: (string | undefined)[] = []
    const { port } = await serve(async (environ: Environ, startResponse: StartResponse) => {
      const consumer = environ['pulsar.cache']
      const write = startResponse('200 OK', [['X-App', 'yes']])
      heads.push(consumer.head)
      await write('x')
      heads.push(consumer.head)
      return []
    })
    const received = await rawUntil(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (text) =>
      text.endsWith('0\r\n\r\n'),
    )
    expect(heads[0]).toBeUndefined()
    expect(heads[1]).toBe(received.slice(0, received.indexOf('\r\n\r\n') + 4))
    expect(heads[1]).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(heads[1]).toMatch(/\r\nTransfer-Encoding: chunked\r\n/)
    expect(heads[1]).toMatch(/\r\nDate: /)
  })
})

describe('write', () => {
  it('refuses to write before start_response', async () => {
    const log = capturingLogger()
    const res = await inject(
      async (environ: Environ) => {
        const consumer = environ['pulsar.cache']
        await consumer.write('early')
        return []
      },
      { logger: log.logger },
    )
    expect(res.status).toBe(500)
    expect(log.errors()[0]!.err!.message).toMatch(/before start_response/)
  })
})

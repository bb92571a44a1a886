/**
 * Nested handlers compose: an inner WsgiHandler or LazyWsgi hands its answer
 * back unstarted, so the response middleware of every handler around it
 * applies, innermost first, and the server starts it last.
 */
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

import {
  AccessControl,
  type Environ,
  LazyWsgi,
  type ResponseMiddleware,
  type StartResponse,
  WsgiHandler,
  WsgiResponse,
  compression,
  secureHeaders,
} from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'
import { inject } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { capturingLogger } from '../helpers/logger.js'

const BIG = 'pulsar '.repeat(400)

/** A response middleware that appends its name to `X-Trail`, sync or async. */
function mark(name: string, async = false): ResponseMiddleware {
  const apply = (response: WsgiResponse) => {
    const trail = response.headers.get('X-Trail')
    response.headers.set('X-Trail', trail ? `${trail},${name}` : name)
    return undefined
  }
  return async
    ? (_environ, response) => Promise.resolve().then(() => apply(response))
    : (_environ, response) => apply(response)
}

class Site extends LazyWsgi {
  setup(): WsgiHandler {
    return new WsgiHandler(
      [
        new Router('/', { get: () => new WsgiResponse(200, BIG, undefined, 'text/plain') }),
        new Router('/fail', {
          get: () => {
            throw new Error('boom')
          },
        }),
      ],
      [mark('site')],
    )
  }
}

describe('nested handlers', () => {
  it('apply the outer CORS, secure headers and compression to an inner LazyWsgi, over a socket', async () => {
    const app = new WsgiHandler(
      [new Site()],
      [new AccessControl({ origin: '*' }), secureHeaders(), compression()],
    )
    const { url } = await serve(app)
    const response = await fetch(url, {
      headers: { Origin: 'https://client.example', 'Accept-Encoding': 'gzip' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-trail')).toBe('site')
    expect(response.headers.get('content-encoding')).toBe('gzip')
    // fetch decodes the body: it must be the site's text
    expect(await response.text()).toBe(BIG)
  })

  it('compress the raw bytes an inner handler answered, as the client receives them', async () => {
    const app = new WsgiHandler([new Site()], [compression()])
    const { port } = await serve(app)
    const { request } = await import('node:http')
    const body = await new Promise<Buffer>((resolve, reject) => {
      request(
        { host: '127.0.0.1', port, path: '/', headers: { 'Accept-Encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve(Buffer.concat(chunks)))
        },
      )
        .on('error', reject)
        .end()
    })
    expect(body.length).toBeLessThan(BIG.length / 4)
    expect(gunzipSync(body).toString()).toBe(BIG)
  })

  it('run every level of three, innermost first, sync and async alike', async () => {
    const inner = new WsgiHandler(
      [() => new WsgiResponse(200, 'deep')],
      [mark('inner'), mark('inner-async', true)],
    )
    const middle = new WsgiHandler([inner], [mark('middle-async', true), mark('middle')])
    const outer = new WsgiHandler([middle], [mark('outer')])
    const res = await inject(outer)
    expect(res.status).toBe(200)
    expect(res.text).toBe('deep')
    expect(res.headers.get('X-Trail')).toBe('inner,inner-async,middle-async,middle,outer')
  })

  it('hand an error page of an inner handler to the outer response middleware', async () => {
    const app = new WsgiHandler([new Site()], [mark('outer'), secureHeaders()])
    const log = capturingLogger()
    const res = await inject(app, {
      path: '/fail',
      headers: { Accept: 'application/json' },
      logger: log.logger,
    })
    expect(res.status).toBe(500)
    expect(log.errors()).toHaveLength(1)
    expect(res.json()).toEqual({ status: 500, message: 'Internal Server Error' })
    expect(res.headers.get('X-Trail')).toBe('site,outer')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
  })

  it('answer 404 from an inner handler that matched nothing, as pulsar does, through the outer middleware', async () => {
    const inner = new WsgiHandler([new Router('/a', { get: () => 'a' })])
    let tried = false
    const outer = new WsgiHandler(
      [
        inner,
        () => {
          tried = true
          return ['never']
        },
      ],
      [mark('outer')],
    )
    const res = await inject(outer, '/b')
    expect(res.status).toBe(404)
    expect(res.headers.get('X-Trail')).toBe('outer')
    expect(tried).toBe(false)
  })

  it('start the response when a plain WSGI caller iterates it (PEP 3333: before the first chunk)', async () => {
    const inner = new WsgiHandler([() => new WsgiResponse(201, 'made')], [mark('inner')])
    const seen: string[] = []
    // a plain WSGI middleware that wraps start_response and re-yields the body
    const wrapper = async (environ: Environ, startResponse: StartResponse) => {
      const body = await inner.handle(environ, (status, headers, excInfo) => {
        seen.push(status)
        return startResponse(status, [...headers, ['X-Wrapped', 'yes']], excInfo)
      })
      const chunks: (string | Uint8Array)[] = []
      for await (const chunk of body as AsyncIterable<string | Uint8Array>) chunks.push(chunk)
      return chunks
    }
    const res = await inject(wrapper)
    expect(seen).toEqual(['201 Created'])
    expect(res.status).toBe(201)
    expect(res.headers.get('X-Wrapped')).toBe('yes')
    expect(res.headers.get('X-Trail')).toBe('inner')
    expect(res.text).toBe('made')
  })
})

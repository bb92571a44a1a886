/** Error responses: status from the exception, negotiated pages, no leaks, one log line. */
import { describe, expect, it } from 'vitest'

import {
  BadRequest,
  type Environ,
  Http401,
  Http404,
  HttpException,
  HttpGone,
  HttpRedirect,
  MethodNotAllowed,
  ServiceUnavailable,
} from 'pulsar-ts'
import { inject } from 'pulsar-ts/testing'

import { capturingLogger } from '../helpers/logger.js'

const fail = (error: unknown) => () => {
  throw error
}

describe('error pages', () => {
  it('uses the status and headers of HttpExceptions', async () => {
    const cases: [unknown, number, [string, string]?][] = [
      [new BadRequest('bad input'), 400],
      [new Http401('Basic realm="api"'), 401, ['www-authenticate', 'Basic realm="api"']],
      [new Http404(), 404],
      [new MethodNotAllowed(['GET', 'POST']), 405, ['allow', 'GET, POST']],
      [new HttpGone(), 410],
      [new ServiceUnavailable('later', 30), 503, ['retry-after', '30']],
      [Object.assign(new Error('http-errors style'), { status: 422 }), 422],
      [Object.assign(new Error('out of range'), { status: 99 }), 500],
    ]
    for (const [error, status, header] of cases) {
      const res = await inject(fail(error), { logger: capturingLogger().logger })
      expect(res.status).toBe(status)
      if (header) expect(res.headers.get(header[0])).toBe(header[1])
    }
  })

  it('negotiates HTML, JSON or text from Accept', async () => {
    const error = new BadRequest('<script>alert(1)</script>')
    const html = await inject(fail(error), { headers: { Accept: 'text/html' } })
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(html.text).toMatch(/^<!DOCTYPE html>.*<title>400 Bad Request<\/title>/)
    expect(html.text).toContain('&#60;script&#62;')
    expect(html.text).not.toContain('<script>')
    const json = await inject(fail(error), { headers: { Accept: 'application/json' } })
    expect(json.json()).toEqual({ status: 400, message: '<script>alert(1)</script>' })
    const text = await inject(fail(error))
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(text.text).toBe('<script>alert(1)</script>\n')
  })

  it('never shows a 5xx message or stack unless debug is on', async () => {
    const log = capturingLogger()
    const secret = new Error('password=hunter2')
    const hidden = await inject(fail(secret), {
      headers: { Accept: 'application/json' },
      logger: log.logger,
    })
    expect(hidden.status).toBe(500)
    expect(hidden.json()).toEqual({ status: 500, message: 'Internal Server Error' })
    expect(log.errors()).toHaveLength(1)
    expect(log.errors()[0]!.err!.stack).toContain('hunter2')
    const custom = await inject(fail(new HttpException('internal detail', 502)), {
      logger: log.logger,
    })
    expect(custom.text).not.toContain('internal detail')

    const debug = await inject(fail(new Error('visible in debug')), {
      debug: true,
      logger: log.logger,
    })
    expect(debug.text).toContain('visible in debug')
    expect(debug.text).toContain('500 Internal Server Error')
    const debugHtml = await inject(fail(new Error('x')), {
      debug: true,
      extra: { 'default.content_type': 'text/html' },
      logger: log.logger,
    })
    expect(debugHtml.text).toMatch(/^<!DOCTYPE html>/)
    expect(debugHtml.text).toContain('<pre>Error: x')
  })

  it('logs 4xx at debug level only', async () => {
    const log = capturingLogger()
    await inject(fail(new Http404()), { logger: log.logger })
    expect(log.errors()).toEqual([])
    expect(log.records.some((r) => r.level === 20)).toBe(true)
  })

  it('captures no stack below 500, and leaves the stack limit as it was', async () => {
    const limit = Error.stackTraceLimit
    const frames = (error: Error) => error.stack!.split('\n').filter((line) => /^\s+at /.test(line))
    for (const error of [new Http404(), new BadRequest('no'), new HttpRedirect('/x')]) {
      expect(error.stack).toBe(`${error.name}: ${error.message}`)
      expect(frames(error)).toEqual([])
    }
    expect(frames(new HttpException('boom', 500)).length).toBeGreaterThan(0)
    expect(frames(new ServiceUnavailable()).length).toBeGreaterThan(0)
    expect(frames(new Error('plain')).length).toBeGreaterThan(0)
    expect(Error.stackTraceLimit).toBe(limit)
    // a debug page of a 4xx has the message and no stray frames
    const res = await inject(fail(new BadRequest('bad id')), { debug: true })
    expect(res.status).toBe(400)
    expect(res.text).toContain('bad id')
    expect(res.text).not.toMatch(/^\s+at /m)
  })

  it('sends redirects with no body', async () => {
    const res = await inject(fail(new HttpRedirect('/login', 303)))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(res.body.length).toBe(0)
  })

  it('lets environ["error.handler"] render the page', async () => {
    const res = await inject(fail(new Error('boom')), {
      extra: { 'error.handler': (_environ: Environ, error: Error) => `custom: ${error.message}` },
      logger: capturingLogger().logger,
    })
    expect(res.status).toBe(500)
    expect(res.text).toBe('custom: boom')
  })
})

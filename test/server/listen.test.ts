/** Where and how the server listens: TLS, unix sockets, connection caps, the access log. */
import { mkdtempSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { type RequestOptions, request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { type Environ, type StartResponse, WSGIServer } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { run } from '../helpers/process.js'
import { RawClient, statuses } from '../helpers/raw.js'
import { testCertificate } from '../helpers/tls.js'

function scheme(environ: Environ, startResponse: StartResponse) {
  environ['wsgi.errors'].write('a line for the log\n')
  startResponse('200 OK', [])
  return [
    `${environ['wsgi.url_scheme']} ${environ.HTTPS ?? 'off'} ${environ['pulsar.connection'].encrypted}`,
  ]
}

function get(options: RequestOptions, secure = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('listening', () => {
  it('speaks HTTPS with key_file and cert_file', async () => {
    const { key_file, cert_file } = testCertificate()
    const { server, port } = await serve(scheme, { key_file, cert_file })
    expect(server.url).toBe(`https://127.0.0.1:${port}`)
    const body = await get({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false }, true)
    expect(body).toBe('https on true')
  })

  it('listens on a unix socket', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pulsar-unix-')), 'app.sock')
    const { server, log } = await serve(scheme, { bind: `unix:${path}` })
    expect(server.url).toBe(`unix:${path}`)
    expect(await get({ socketPath: path, path: '/' })).toBe('http off false')
    expect(log.errors().map((r) => r.msg)).toEqual(['a line for the log'])
  })

  it('closes connections over max_connections at once and keeps serving the others', async () => {
    const { port } = await serve(scheme, { max_connections: 1 })
    const first = await RawClient.connect(port)
    first.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await first.until((r) => statuses(r).length === 1)
    const second = await RawClient.connect(port)
    second.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    expect(await second.untilClosed()).toBe('')
    first.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await first.until((r) => statuses(r).length === 2)
    first.close()
  })

  it('logs one line per request with access_log', async () => {
    const { url, log } = await serve(scheme, { access_log: true })
    await (await fetch(`${url}/x?y=1`)).text()
    const line = log.records.find((r) => r.msg === 'request')
    expect(line).toMatchObject({ method: 'GET', path: '/x', status: 200 })
    expect(typeof line!.ms).toBe('number')
  })

  it('refuses to listen twice and reports a bind error', async () => {
    const { server, port } = await serve(scheme)
    await expect(server.listen()).rejects.toThrow(/already listening/)
    await expect(serve(scheme, { bind: `127.0.0.1:${port}` })).rejects.toThrow(/EADDRINUSE/)
  })

  it('refuses a second listen() made before the first one resolved', async () => {
    // h2c: its server is made after listen() awaits node:http2
    const server = new WSGIServer(scheme, { bind: '127.0.0.1:0', log_level: 'error', http2: 'h2c' })
    try {
      const first = server.listen()
      await expect(server.listen()).rejects.toThrow(/already listening/)
      expect(await first).toBe(server)
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    } finally {
      await server.close()
    }
  })

  it('loads node:http2 and node:https only for a server that asks for them', async () => {
    // a child process: this one has loaded both already, for other tests
    const code = `
      const { WSGIServer } = await import('./src/index.ts')
      const loaded = () => ['http2', 'https'].filter((m) => process.moduleLoadList.includes('NativeModule ' + m))
      const app = (environ, startResponse) => (startResponse('200 OK', []), [])
      const plain = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'error' }).listen()
      console.log('plain:' + loaded().join(','))
      const h2c = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'error', http2: 'h2c' }).listen()
      console.log('h2c:' + loaded().join(','))
      await Promise.all([plain.close(), h2c.close()])`
    const child = run(['--input-type=module', '-e', code])
    expect((await child.exit).code).toBe(0)
    expect(child.stdout()).toContain('plain:\n')
    expect(child.stdout()).toContain('h2c:http2\n')
  })
})

/**
 * The floor of the WSGI contract on node:http, for reference: the environ
 * PEP 3333 requires, a `start_response` and a list body, with no check of
 * anything (no Host or status validation, no keep-alive policy, no error
 * handling). Not a server to run: what any WSGI gateway costs at least.
 */
import { createServer } from 'node:http'

import type { Environ, Header, StartResponse } from 'pulsar-ts'

import { HELLO, ready } from './child.js'

const appHeaders: Header[] = [
  ['Content-Type', 'text/plain'],
  ['Content-Length', String(HELLO.length)],
]
const app = (_environ: Environ, startResponse: StartResponse) => {
  startResponse('200 OK', appHeaders)
  return [HELLO]
}
// as long as pulsar-ts's default (`pulsar-ts/<version>`), so both send the same bytes
const SERVER: Header = ['Server', 'pulsar-ts/0.1.0']
const keys = new Map<string, string>()
const input = { read: () => Promise.resolve(Buffer.alloc(0)) }
const errors = { write: () => undefined, flush: () => undefined }

const server = createServer((req, res) => {
  const url = req.url!
  const q = url.indexOf('?')
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: req.method,
    SCRIPT_NAME: '',
    PATH_INFO: q < 0 ? url : url.slice(0, q),
    QUERY_STRING: q < 0 ? '' : url.slice(q + 1),
    CONTENT_TYPE: '',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '1',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': 'http',
    'wsgi.input': input,
    'wsgi.errors': errors,
    'wsgi.multithread': false,
    'wsgi.multiprocess': false,
    'wsgi.run_once': false,
  }
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    let key = keys.get(name)
    if (key === undefined) keys.set(name, (key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_')))
    environ[key] = raw[i + 1]
  }
  let code = 0
  let reason = ''
  let headers: Header[] = []
  const body = app(environ as Environ, (status, list) => {
    code = Number(status.slice(0, 3))
    reason = status.slice(4)
    headers = [...list, SERVER]
    return () => Promise.resolve()
  })
  res.writeHead(code, reason, headers)
  res.end(body[0])
})
server.listen(0, '127.0.0.1', () => ready(server.address()))

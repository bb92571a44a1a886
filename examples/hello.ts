/**
 * pulsar's hello world: a plain, synchronous WSGI application.
 *
 *     npm start                     # or: npx tsx examples/hello.ts --bind :9000
 */
import { fileURLToPath } from 'node:url'

import {
  type Environ,
  type Header,
  MethodNotAllowed,
  type StartResponse,
  WSGIServer,
} from 'pulsar-ts'

const data = Buffer.from('Hello World!\n')
const headers: Header[] = [
  ['Content-Type', 'text/plain'],
  ['Content-Length', String(data.length)],
]

/** Answers `Hello World!` to GET and HEAD, 405 to anything else. */
export function hello(environ: Environ, startResponse: StartResponse): Buffer[] {
  if (environ.REQUEST_METHOD !== 'GET' && environ.REQUEST_METHOD !== 'HEAD')
    throw new MethodNotAllowed(['GET', 'HEAD'])
  startResponse('200 OK', headers)
  return [data]
}

/** The server of this example, with the settings given in code. */
export function server(options = {}): WSGIServer {
  return new WSGIServer(hello, options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()

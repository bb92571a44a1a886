/**
 * pulsar's httpbin on pulsar-ts: an HTTP request and response service that
 * exercises the whole stack (routing, converters, bodies, cookies, redirects,
 * streaming, static files, errors).
 *
 *     npm start                     # or: npx tsx examples/httpbin.ts --bind :9000
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isUtf8 } from 'node:buffer'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { fileURLToPath } from 'node:url'

import {
  BadRequest,
  type Environ,
  GZipMiddleware,
  Http401,
  HttpException,
  LazyWsgi,
  MediaRouter,
  Router,
  type ServerOptions,
  WSGIServer,
  WsgiHandler,
  type WsgiRequest,
  WsgiResponse,
  authorizationMiddleware,
  cleanPathMiddleware,
  escapeHtml,
} from 'pulsar-ts'

const MEDIA = fileURLToPath(new URL('media/', import.meta.url))
const HELLO = 'Hello, World!'

/** Query or form values: one value as a string, repeated ones as a list (as pulsar's httpbin). */
function multiDict(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {}
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key)
    result[key] = values.length === 1 ? values[0]! : values
  }
  return result
}

/** The request headers with their usual capitalisation. */
function requestHeaders(environ: Environ): Record<string, string> {
  const headers: Record<string, string> = {}
  const title = (name: string) =>
    name.toLowerCase().replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())
  for (const [key, value] of Object.entries(environ))
    if (key.startsWith('HTTP_') && typeof value === 'string')
      headers[title(key.slice(5).replaceAll('_', '-'))] = value
  if (environ.CONTENT_TYPE) headers['Content-Type'] = environ.CONTENT_TYPE
  if (environ.CONTENT_LENGTH !== undefined) headers['Content-Length'] = environ.CONTENT_LENGTH
  return headers
}

/** What the client sent: args, headers, origin, URL, and the body as httpbin shows it. */
async function echo(request: WsgiRequest) {
  const info: Record<string, unknown> = {
    method: request.method,
    args: multiDict(request.query),
    headers: requestHeaders(request.environ),
    origin: request.environ.REMOTE_ADDR,
    url: request.absoluteUri(),
  }
  if (request.method === 'GET' || request.method === 'HEAD') return request.jsonResponse(info)
  const type = request.contentType
  let [data, form, files, json]: [string, unknown, unknown, unknown] = ['', {}, {}, null]
  if (type === 'application/x-www-form-urlencoded') form = multiDict(await request.form())
  else if (type === 'multipart/form-data') {
    const body = await request.multipart()
    form = multiDict(body.fields)
    const uploaded: Record<string, string> = {}
    for (const file of body.files)
      uploaded[file.field] = isUtf8(file.data)
        ? file.data.toString()
        : `data:${file.type};base64,${file.data.toString('base64')}`
    files = uploaded
  } else {
    data = await request.text()
    if (data && type.endsWith('json')) json = await request.json()
  }
  return request.jsonResponse({ ...info, data, form, files, json })
}

function home(root: Router) {
  return (request: WsgiRequest) => {
    const items: string[] = []
    const visit = (router: Router) => {
      const methods = router.methods.filter((method) => method !== 'OPTIONS')
      if (methods.length)
        items.push(`<li><code>${escapeHtml(router.fullRule)}</code> ${methods.join(', ')}</li>`)
      router.children.forEach(visit)
    }
    visit(root)
    items.push('<li><a href="/media/"><code>/media/</code></a> GET, HEAD: static files</li>')
    return request.htmlResponse(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>pulsar-ts httpbin</title>' +
        '<link rel="stylesheet" href="/media/httpbin.css"></head><body><h1>pulsar-ts httpbin</h1>' +
        `<ul>${items.join('')}</ul><script src="/media/js/httpbin.js"></script></body></html>`,
    )
  }
}

function basicAuth(request: WsgiRequest) {
  const { user, password } = request.urlargs as { user: string; password: string }
  // parsed once by authorizationMiddleware, as in pulsar's httpbin
  const credentials = request.environ['http.authorization']
  const given = Buffer.from(
    credentials?.scheme === 'basic' ? `${credentials.username}:${credentials.password}` : '',
  )
  const expected = Buffer.from(`${user}:${password}`)
  // compared in constant time: the time taken says nothing about the password
  const ok = given.length === expected.length && timingSafeEqual(given, expected)
  if (!ok) throw new Http401('Basic realm="httpbin"')
  return { authenticated: true, user }
}

function status(request: WsgiRequest) {
  const code = request.urlargs.code as number
  // a 1xx is informational: it can never be the final answer to a request
  if (code < 200) throw new BadRequest(`${code} is an informational status, not an answer`)
  if (code >= 400) throw new HttpException(request.query.get('message') ?? undefined, code)
  const response = new WsgiResponse(code)
  if (code >= 300 && code < 400 && code !== 304) response.headers.set('Location', '/get')
  return response
}

function responseHeaders(request: WsgiRequest) {
  const response = new WsgiResponse(200)
  for (const [name, value] of request.query) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch {
      throw new BadRequest(`Invalid header ${JSON.stringify(name)}`)
    }
    response.headers.append(name, value)
  }
  const sent: Record<string, string | string[]> = {}
  for (const [name, value] of response.headers) {
    const previous = sent[name]
    sent[name] = previous === undefined ? value : [previous, value].flat()
  }
  response.contentType = 'application/json; charset=utf-8'
  response.content = JSON.stringify(sent)
  return response
}

function getSize(request: WsgiRequest) {
  const size = request.urlargs.size as number
  const empty = JSON.stringify({ size, data: '' })
  // padded so the body is exactly `size` bytes, when it can be
  return request.jsonResponse({ size, data: 'x'.repeat(Math.max(0, size - empty.length)) })
}

// pulsar's httpbin gzips this route with a minimum length of 10 bytes
const gzipper = new GZipMiddleware(10)

async function gzip(request: WsgiRequest) {
  const body = JSON.stringify({
    gzipped: true,
    method: request.method,
    headers: requestHeaders(request.environ),
  })
  const response = new WsgiResponse(200, body, undefined, 'application/json; charset=utf-8')
  return (await gzipper.handle(request.environ, response)) ?? response
}

function* stream(chunk: Buffer, count: number) {
  for (let i = 0; i < count; i++) yield chunk
}

/** PUT multipart files streamed through a hash, never held in memory: their sizes and SHA-256. */
async function upload(request: WsgiRequest) {
  const hashes: Record<string, string> = {}
  const { fields, files } = await request.multipart({
    onFile: async (file, data) => {
      const hash = createHash('sha256')
      for await (const chunk of data) hash.update(chunk as Buffer)
      hashes[file.field] = hash.digest('hex')
    },
  })
  return {
    form: multiDict(fields),
    files: files.map(({ field, filename, type, size }) => ({
      field,
      filename,
      type,
      size,
      sha256: hashes[field],
    })),
  }
}

/** The routes of httpbin, one Router tree. */
export function httpbinRouter(): Router {
  const root = new Router('/')
  root.route('/', { get: home(root), responseContentTypes: ['text/html'] })
  for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const)
    root.route(method, { [method]: echo })
  const redirect = root.route('redirect/<int(min=1,max=10):n>', {
    get: (request) => {
      const n = request.urlargs.n as number
      return request.redirect(n === 1 ? '/get' : redirect.path({ n: n - 1 }))
    },
  })
  root.route('getsize/<int(min=1,max=8388608):size>', { get: getSize })
  root.route('gzip', { get: gzip })
  root.route('cookies', { get: (request) => ({ cookies: request.cookies }) })
  root.route('cookies/set/<name>/<value>', {
    get: (request) => {
      const { name, value } = request.urlargs as { name: string; value: string }
      try {
        return request.redirect('/cookies').setCookie(name, value)
      } catch (error) {
        throw new BadRequest((error as Error).message)
      }
    },
  })
  root.route('cookies/delete/<name>', {
    get: (request) => request.redirect('/cookies').deleteCookie(request.urlargs.name as string),
  })
  root.route('status/<int(min=100,max=599):code>', {
    get: status,
    post: status,
    put: status,
    delete: status,
  })
  root.route('response-headers', { get: responseHeaders })
  root.route('basic-auth/<user>/<password>', { get: basicAuth })
  root.route('stream/<int(min=1,max=1048576):m>/<int(min=1,max=1000):n>', {
    get: (request) => {
      const { m, n } = request.urlargs as { m: number; n: number }
      return new WsgiResponse(200, stream(Buffer.alloc(m, 'x'), n), undefined, 'text/plain')
    },
  })
  root.route('expect', { post: (request) => request.environ['wsgi.input'].fail() })
  root.route('upload', { put: upload })
  root.route('json', { get: (request) => request.jsonResponse({ message: HELLO }) })
  root.route('plaintext', { get: (request) => request.textResponse(HELLO) })
  return root
}

/** The httpbin site: pulsar's request middleware, static files, then the routes; built on the first request. */
export class HttpBin extends LazyWsgi {
  setup(): WsgiHandler {
    return new WsgiHandler([
      cleanPathMiddleware,
      authorizationMiddleware,
      new MediaRouter('/media', MEDIA, { showIndexes: true, defaultFile: false }),
      httpbinRouter(),
    ])
  }
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}): WSGIServer {
  return new WSGIServer(new HttpBin(), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()

/**
 * pulsar's httpbin on pulsar-ts: an HTTP request and response service that
 * exercises the whole stack (routing, converters, bodies, cookies, redirects,
 * streaming, static files, authentication, WebSockets, errors). The home
 * page lists every endpoint; docs/httpbin.md describes them.
 *
 *     npm start                     # or: npx tsx examples/httpbin.ts --bind :9000
 */
import { timingSafeEqual } from 'node:crypto'
import { fileURLToPath } from 'node:url'

import {
  BadRequest,
  GZipMiddleware,
  Http401,
  HttpException,
  type HttpMethod,
  LazyWsgi,
  MediaRouter,
  type RouteHandler,
  Router,
  type ServerOptions,
  WSGIServer,
  WsgiHandler,
  type WsgiRequest,
  WsgiResponse,
  authorizationMiddleware,
  cleanPathMiddleware,
  escapeHtml,
  fileResponse,
} from 'pulsar-ts'
import { WebSocket } from 'pulsar-ts/websocket'

import { digestAuth } from './httpbin-digest.js'
import { connectionInfo, echo, postChunks, requestHeaders, upload } from './httpbin-echo.js'
import { GRAPH_PAGE } from './httpbin-graph.js'
import { responseHeaders, sentHeaders } from './httpbin-headers.js'
import { Graph } from './websocket.js'

const MEDIA = fileURLToPath(new URL('media/', import.meta.url))
const CLIP = fileURLToPath(new URL('media/clip.mp4', import.meta.url))
const HELLO = 'Hello, World!'

/** "pulsar", then pulsar's JAPANESE, CHINESE and HINDI: what `/pulsar` answers. */
export const PULSAR_NAMES = ['pulsar', 'パルサー', '脉冲星', 'पल्सर'] as const

type Handlers = Partial<Record<HttpMethod, RouteHandler>>
type Defaults = Readonly<Record<string, string | number>>

/** A route of httpbin: what the home page says of it, and the values a link to it uses. */
class Endpoint extends Router {
  readonly title: string
  readonly defaults: Defaults

  constructor(rule: string, title: string, handlers: Handlers, defaults: Defaults = {}) {
    super(rule, handlers)
    this.title = title
    this.defaults = defaults
  }
}

/**
 * Adds an endpoint to `root`. With `defaults` (pulsar's route defaults), the
 * rule cut before its first variable serves them too: `/redirect` is
 * `/redirect/5`.
 */
function endpoint(
  root: Router,
  rule: string,
  title: string,
  handlers: Handlers,
  defaults?: Defaults,
): Endpoint {
  const added = root.addChild(new Endpoint(rule, title, handlers, defaults))
  const firstVariable = rule.indexOf('/<')
  if (defaults && firstVariable > 0) {
    const withDefaults: Handlers = {}
    for (const [method, handler] of Object.entries(handlers) as [HttpMethod, RouteHandler][])
      withDefaults[method] = (request) => {
        request.urlargs = { ...defaults }
        return handler(request)
      }
    root.route(rule.slice(0, firstVariable), withDefaults)
  }
  return added
}

/** The home page: every endpoint, linked with its defaults when it answers GET. */
function home(root: Router) {
  return (request: WsgiRequest) => {
    const items: string[] = []
    for (const child of root.children) {
      if (!(child instanceof Endpoint)) continue
      const code = `<code>${escapeHtml(child.fullRule)}</code>`
      const link = child.methods.includes('GET')
        ? `<a href="${escapeHtml(child.path(child.defaults))}">${code}</a>`
        : code
      const methods = child.methods.filter((method) => method !== 'OPTIONS').join(', ')
      items.push(`<li>${link} ${methods}: ${escapeHtml(child.title)}</li>`)
    }
    items.push(
      '<li><code>/graph-data</code> WebSocket: 100 random points for every message</li>',
      '<li><a href="/media/"><code>/media/</code></a> GET, HEAD: static files</li>',
    )
    return request.htmlResponse(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>pulsar-ts httpbin</title>' +
        '<link rel="stylesheet" href="/media/httpbin.css"></head><body><h1>pulsar-ts httpbin</h1>' +
        `<ul>${items.join('')}</ul><script src="/media/js/httpbin.js"></script></body></html>`,
    )
  }
}

function basicAuth(request: WsgiRequest) {
  const { username, password } = request.urlargs as { username: string; password: string }
  // parsed once by authorizationMiddleware, as in pulsar's httpbin
  const credentials = request.environ['http.authorization']
  const given = Buffer.from(
    credentials?.scheme === 'basic' ? `${credentials.username}:${credentials.password}` : '',
  )
  const expected = Buffer.from(`${username}:${password}`)
  // compared in constant time: the time taken says nothing about the password
  const ok = given.length === expected.length && timingSafeEqual(given, expected)
  if (!ok) throw new Http401('Basic realm="httpbin"')
  return { authenticated: true, user: username }
}

function status(request: WsgiRequest) {
  const code = request.urlargs.status as number
  // a 1xx is informational: it can never be the final answer to a request
  if (code < 200) throw new BadRequest(`${code} is an informational status, not an answer`)
  if (code >= 400) throw new HttpException(request.query.get('message') ?? undefined, code)
  const response = new WsgiResponse(code)
  if (code >= 300 && code < 400 && code !== 304) response.headers.set('Location', '/get')
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

function cookieResponse(set: () => WsgiResponse): WsgiResponse {
  try {
    return set()
  } catch (error) {
    // a name that is not an RFC 6265 token could not be a cookie
    throw new BadRequest((error as Error).message)
  }
}

function* stream(chunk: Buffer, count: number) {
  for (let i = 0; i < count; i++) yield chunk
}

/** The server's figures (WSGIServer.info()) and the connection of the request. */
async function stats(request: WsgiRequest) {
  const { environ } = request
  // a made-up request (inject) has no server
  const server = (await environ['pulsar.connection'].server?.info()) ?? null
  return request.jsonResponse({ server, connection: connectionInfo(environ) })
}

/** The routes of httpbin, one Router tree, in pulsar's order. */
export function httpbinRouter(): Router {
  const root = new Router('/')
  root.route('/', { get: home(root), responseContentTypes: ['text/html'] })
  for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const)
    endpoint(root, method, `Returns ${method.toUpperCase()} data`, { [method]: echo })
  endpoint(root, 'post_chunks', 'Returns the POST body as it came', { post: postChunks })
  const redirect = endpoint(
    root,
    'redirect/<int(min=1,max=10):times>',
    '302 Redirect n times',
    {
      get: (request) => {
        const times = request.urlargs.times as number
        return request.redirect(times === 1 ? '/get' : redirect.path({ times: times - 1 }))
      },
    },
    { times: 5 },
  )
  endpoint(
    root,
    'getsize/<int(min=1,max=8388608):size>',
    'Returns a preset size of data (limit at 8MB)',
    { get: getSize },
    { size: 150000 },
  )
  endpoint(root, 'gzip', 'Returns gzip encoded data', { get: gzip })
  endpoint(root, 'cookies', 'Returns cookie data', {
    get: (request) => ({ cookies: request.cookies }),
  })
  endpoint(
    root,
    'cookies/set/<name>/<value>',
    'Sets a simple cookie',
    {
      get: (request) => {
        const { name, value } = request.urlargs as { name: string; value: string }
        return cookieResponse(() => request.redirect('/cookies').setCookie(name, value))
      },
    },
    { name: 'package', value: 'pulsar' },
  )
  endpoint(
    root,
    'cookies/delete/<name>',
    'Deletes a cookie',
    {
      get: (request) => {
        const name = request.urlargs.name as string
        return cookieResponse(() => request.redirect('/cookies').deleteCookie(name))
      },
    },
    { name: 'package' },
  )
  endpoint(
    root,
    'status/<int(min=100,max=599):status>',
    'Returns given HTTP Status code',
    { get: status, post: status, put: status, delete: status },
    { status: 418 },
  )
  endpoint(root, 'response_headers', 'Returns the response headers as they went out', {
    get: sentHeaders,
  })
  endpoint(root, 'response-headers', 'Returns the response headers the query sets', {
    get: responseHeaders,
  })
  endpoint(
    root,
    'basic-auth/<username>/<password>',
    'Challenges HTTPBasic Auth',
    { get: basicAuth },
    { username: 'username', password: 'password' },
  )
  endpoint(
    root,
    'digest-auth/<username>/<password>/<any(auth,auth-int):qop>',
    'Challenges HTTP Digest Auth',
    { get: digestAuth },
    { username: 'username', password: 'password', qop: 'auth' },
  )
  endpoint(
    root,
    'stream/<int(min=1,max=1048576):m>/<int(min=1,max=1000):n>',
    'Stream m chunk of data n times',
    {
      get: (request) => {
        const { m, n } = request.urlargs as { m: number; n: number }
        return new WsgiResponse(200, stream(Buffer.alloc(m, 'a'), n), undefined, 'text/plain')
      },
    },
    { m: 300, n: 20 },
  )
  endpoint(root, 'websocket', 'A web socket graph', {
    get: (request) => request.htmlResponse(GRAPH_PAGE),
  })
  endpoint(root, 'stats', 'Live server statistics', { get: stats })
  endpoint(
    root,
    'clip/<int(min=256,max=16777216):chunk_size>',
    'Show a video clip',
    {
      get: (request) =>
        fileResponse(request, CLIP, { blockSize: request.urlargs.chunk_size as number }),
    },
    { chunk_size: 4096 },
  )
  endpoint(root, 'servername', 'Display the server name', {
    get: (request) => request.textResponse(`${request.environ.SERVER_NAME}\n`),
  })
  endpoint(root, 'pulsar', 'Pulsar is several languages', {
    get: (request) => request.jsonResponse(PULSAR_NAMES),
  })
  endpoint(root, 'json', 'Benchmark: a JSON message', {
    get: (request) => request.jsonResponse({ message: HELLO }),
  })
  endpoint(root, 'plaintext', 'Benchmark: a text message', {
    get: (request) => request.textResponse(HELLO),
  })
  endpoint(root, 'expect', 'Refuses the body with 417 Expectation Failed', {
    post: (request) => request.environ['wsgi.input'].fail(),
  })
  endpoint(root, 'upload', 'Returns the size and SHA-256 of multipart files', { put: upload })
  return root
}

/** The httpbin site: pulsar's request middleware, static files, the graph socket, then the routes; built on the first request. */
export class HttpBin extends LazyWsgi {
  setup(): WsgiHandler {
    return new WsgiHandler([
      cleanPathMiddleware,
      authorizationMiddleware,
      new MediaRouter('/media', MEDIA, { showIndexes: true, defaultFile: false }),
      new WebSocket('/graph-data', new Graph()),
      httpbinRouter(),
    ])
  }
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}): WSGIServer {
  return new WSGIServer(new HttpBin(), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()

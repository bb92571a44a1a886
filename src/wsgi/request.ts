/**
 * WsgiRequest: the ergonomic view of an environ that routers, RPC and
 * WebSocket handlers work with. Everything it parses is parsed once per
 * request, however many wrappers look at it.
 * @module
 */
import { acceptEntries, bestMediaType, mediaQuality } from './accept.js'
import { BufferedInput } from './buffered-input.js'
import { parseCookies } from './cookies.js'
import { BadRequest, NotAcceptable, UnsupportedMediaType } from './errors.js'
import { headerKey } from './headers.js'
import { parseJsonBody } from './json-body.js'
import { type MultipartBody, type MultipartOptions, parseMultipart } from './multipart.js'
import { WsgiResponse } from './response.js'
import type { Environ } from './types.js'

/** Values parsed from one request, shared by every WsgiRequest over its environ. */
interface RequestCache {
  /** The body, once read from an input that had it in memory. */
  bytes?: Buffer
  query?: URLSearchParams
  cookies?: Record<string, string>
  body?: Promise<Buffer>
  multipart?: Promise<MultipartBody>
}

// on the environ itself: a WeakMap lookup per request costs more than the parsing it saves
const kCache = Symbol('pulsar.request.cache')
type Cached = Environ & { [kCache]?: RequestCache }

const FORM_TYPES = ['application/x-www-form-urlencoded']

/**
 * Whether a media type (lower case, no parameters) is a JSON one: its subtype
 * names JSON (`application/json`, `text/json`, `application/vnd.api+json`,
 * `application/json-rpc`, `application/x-json`...).
 */
function isJsonType(type: string): boolean {
  return type.slice(type.indexOf('/') + 1).includes('json')
}

/** A request: method, path, query, headers, cookies, negotiation and the body. */
export class WsgiRequest {
  readonly environ: Environ
  /** Values taken from the URL by a router (`<int:id>` gives `urlargs.id`). */
  urlargs: Record<string, unknown>
  #shared: RequestCache | undefined

  constructor(environ: Environ, urlargs: Record<string, unknown> = {}) {
    this.environ = environ
    this.urlargs = urlargs
  }

  /** The values parsed from this environ, found when first needed (a router's request may need none). */
  get #cache(): RequestCache {
    return (this.#shared ??= (this.environ as Cached)[kCache] ??= {})
  }

  /** The request method, upper case. */
  get method(): string {
    return this.environ.REQUEST_METHOD
  }

  /** The decoded path, `/` at least. */
  get path(): string {
    return this.environ.PATH_INFO || '/'
  }

  /** The query string parameters. */
  get query(): URLSearchParams {
    return (this.#cache.query ??= new URLSearchParams(this.environ.QUERY_STRING))
  }

  /** A request header by name (case-insensitive), or `undefined`. */
  header(name: string): string | undefined {
    const lower = name.toLowerCase()
    if (lower === 'content-type') return this.environ.CONTENT_TYPE || undefined
    if (lower === 'content-length') return this.environ.CONTENT_LENGTH
    return this.environ[headerKey(lower)] as string | undefined
  }

  /** The request cookies by name. */
  get cookies(): Record<string, string> {
    return (this.#cache.cookies ??= parseCookies(this.environ.HTTP_COOKIE))
  }

  /** The media type of the body, lower case and without parameters (`''` when absent). */
  get contentType(): string {
    return this.environ.CONTENT_TYPE.split(';', 1)[0]!.trim().toLowerCase()
  }

  /** The charset of the body, from the Content-Type (`utf-8` when absent). */
  get charset(): string {
    return /;\s*charset="?([^";]+)/i.exec(this.environ.CONTENT_TYPE)?.[1]?.toLowerCase() ?? 'utf-8'
  }

  /** Whether the request came over HTTPS (directly, or through a trusted proxy). */
  get isSecure(): boolean {
    return this.environ['wsgi.url_scheme'] === 'https'
  }

  /** Whether the request was made by `XMLHttpRequest` (`X-Requested-With`). */
  get isXhr(): boolean {
    return this.environ.HTTP_X_REQUESTED_WITH === 'XMLHttpRequest'
  }

  /** The host the client asked for: the Host header, else the server's name and port. */
  get host(): string {
    const host = this.environ.HTTP_HOST
    if (host) return host
    const { SERVER_NAME: name, SERVER_PORT: port } = this.environ
    const standard = port === (this.isSecure ? '443' : '80') || port === ''
    return standard ? name : `${name.includes(':') ? `[${name}]` : name}:${port}`
  }

  /** The full URL of the request, or of `location` resolved against it. */
  absoluteUri(location?: string): string {
    let base: URL
    try {
      base = new URL(encodeURI(this.path), `${this.environ['wsgi.url_scheme']}://${this.host}`)
    } catch {
      // the gateway checked the Host's characters; a URL parser may still refuse its name
      throw new BadRequest('The Host header names no host a URL can hold')
    }
    const { QUERY_STRING: query } = this.environ
    return new URL(location ?? base.pathname + (query ? `?${query}` : ''), base).href
  }

  /** The offered media type the client prefers (by `Accept`), or `undefined`. */
  accepts(...types: string[]): string | undefined {
    return bestMediaType(acceptEntries(this.environ.HTTP_ACCEPT), types)
  }

  /** Aborted when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    return this.environ['pulsar.cache'].signal
  }

  /** The whole body (read once, within the `stream_buffer` limit). */
  body(): Promise<Buffer> {
    const cache = this.#cache
    if (cache.body) return cache.body
    const bytes = this.bodySync()
    return (cache.body =
      bytes === undefined ? this.environ['wsgi.input'].read() : Promise.resolve(bytes))
  }

  /**
   * The whole body at once, when it is in memory (`wsgi.async` absent: it
   * arrived with the request, or `waitForBodyMiddleware` read it); else
   * `undefined`, and `body()` reads it.
   */
  bodySync(): Buffer | undefined {
    const cache = this.#cache
    if (cache.bytes !== undefined || cache.body !== undefined) return cache.bytes
    const input = this.environ['wsgi.input']
    if (this.environ['wsgi.async'] || !(input instanceof BufferedInput)) return undefined
    return (cache.bytes = input.readSync())
  }

  /** The body as text, decoded with its charset; a charset unknown to the WHATWG Encoding standard is a 415. */
  async text(): Promise<string> {
    let decoder: InstanceType<typeof TextDecoder>
    try {
      decoder = new TextDecoder(this.charset)
    } catch {
      throw new UnsupportedMediaType(`Unsupported charset ${JSON.stringify(this.charset)}`)
    }
    return decoder.decode(await this.body())
  }

  /**
   * The body parsed as JSON: malformed JSON, JSON nested deeper than the
   * `max_json_depth` setting, or a key that would pollute a prototype, is a
   * 400; a body declared as another type is a 415 (a body without a
   * Content-Type is read as JSON).
   */
  async json(): Promise<unknown> {
    const type = this.contentType
    if (type && !isJsonType(type))
      throw new UnsupportedMediaType(`Expected a JSON body, got ${type}`)
    return parseJsonBody(await this.text(), this.environ['pulsar.cfg'].max_json_depth)
  }

  /** An urlencoded form body; another body type is a 415. */
  async form(): Promise<URLSearchParams> {
    if (!FORM_TYPES.includes(this.contentType))
      throw new UnsupportedMediaType(
        `Expected a form body, got ${this.contentType || 'no Content-Type'}`,
      )
    return new URLSearchParams(await this.text())
  }

  /**
   * A multipart/form-data body: its fields and files, parsed as it streams
   * in (another body type is a 415, a malformed one a 400, one over a limit
   * a 413). Parsed once; later calls return the same result.
   */
  multipart(options: MultipartOptions = {}): Promise<MultipartBody> {
    if (this.contentType !== 'multipart/form-data')
      return Promise.reject(
        new UnsupportedMediaType(
          `Expected a multipart/form-data body, got ${this.contentType || 'no Content-Type'}`,
        ),
      )
    const read = this.#cache.body
    const chunks = read ? read.then((body) => [body]) : Promise.resolve(this.environ['wsgi.input'])
    const fileSize = this.environ['pulsar.cfg'].stream_buffer
    return (this.#cache.multipart ??= chunks.then((source) =>
      parseMultipart(source, this.environ.CONTENT_TYPE, { fileSize, ...options }),
    ))
  }

  /** A JSON response, or 406 when the client's `Accept` refuses JSON. */
  jsonResponse(data: unknown, status = 200): WsgiResponse {
    this.#negotiate('application/json')
    return WsgiResponse.json(data, status)
  }

  /** A `text/plain; charset=utf-8` response, or 406 when the client's `Accept` refuses it. */
  textResponse(text: string, status = 200): WsgiResponse {
    this.#negotiate('text/plain')
    return new WsgiResponse(status, text, undefined, 'text/plain; charset=utf-8')
  }

  /** A `text/html; charset=utf-8` response, or 406 when the client's `Accept` refuses HTML. */
  htmlResponse(html: string, status = 200): WsgiResponse {
    this.#negotiate('text/html')
    return new WsgiResponse(status, html, undefined, 'text/html; charset=utf-8')
  }

  #negotiate(type: string): void {
    const accept = this.environ.HTTP_ACCEPT
    if (accept && mediaQuality(acceptEntries(accept), type) === 0)
      throw new NotAcceptable(`The client does not accept ${type}`)
  }

  /** A redirect (302 unless told otherwise) to `location`. */
  redirect(location: string, status = 302): WsgiResponse {
    return WsgiResponse.redirect(location, status)
  }
}

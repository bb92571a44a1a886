/**
 * httpbin's mirrors: what the client sent (args, headers, form, files, JSON,
 * raw bytes) and which connection it came on, as pulsar's httpbin shows them.
 * @module
 */
import { createHash } from 'node:crypto'
import { isUtf8 } from 'node:buffer'

import { type Environ, type UploadedFile, type WsgiRequest, WsgiResponse } from 'pulsar-ts'

/**
 * Repeated keys as lists, one value as a string (pulsar's MultiDict as
 * JSON). Built with `fromEntries`, so a key such as `__proto__` stays a key.
 */
export function multiDict(pairs: Iterable<[string, string]>): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>()
  for (const [key, value] of pairs) {
    const values = grouped.get(key)
    if (values) values.push(value)
    else grouped.set(key, [value])
  }
  return Object.fromEntries(
    [...grouped].map(([key, values]) => [key, values.length === 1 ? values[0]! : values]),
  )
}

/** The request headers with their usual capitalisation. */
export function requestHeaders(environ: Environ): Record<string, string> {
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

/** pulsar's `pulsar` key: the connection the request came on and how many it carried so far. */
export function connectionInfo(environ: Environ): { connection: number; processed: number } {
  const connection = environ['pulsar.connection']
  return { connection: connection.id, processed: connection.requests }
}

/** What the client sent: args, headers, origin, URL, connection, and the body as httpbin shows it. */
export async function echo(request: WsgiRequest): Promise<WsgiResponse> {
  const info: Record<string, unknown> = {
    method: request.method,
    args: multiDict(request.query),
    headers: requestHeaders(request.environ),
    origin: request.environ.REMOTE_ADDR,
    url: request.absoluteUri(),
    pulsar: connectionInfo(request.environ),
  }
  if (request.method === 'GET' || request.method === 'HEAD') return request.jsonResponse(info)
  const type = request.contentType
  let [data, form, files, json]: [string, unknown, unknown, unknown] = ['', {}, {}, null]
  if (type === 'application/x-www-form-urlencoded') form = multiDict(await request.form())
  else if (type === 'multipart/form-data') {
    const body = await request.multipart()
    form = multiDict(body.fields)
    files = multiDict(
      body.files.map((file): [string, string] => [
        file.field,
        isUtf8(file.data)
          ? file.data.toString()
          : `data:${file.type};base64,${file.data.toString('base64')}`,
      ]),
    )
  } else {
    data = await request.text()
    if (data && type.endsWith('json')) json = await request.json()
  }
  return request.jsonResponse({ ...info, data, form, files, json })
}

/** POST /post_chunks: the body as it came, bytes unchanged, labelled with the request's Content-Type. */
export async function postChunks(request: WsgiRequest): Promise<WsgiResponse> {
  const body = await request.body()
  const type = request.environ.CONTENT_TYPE || 'application/octet-stream'
  // the client chose the type: the browser must not second-guess it into HTML
  return new WsgiResponse(200, body, [['X-Content-Type-Options', 'nosniff']], type)
}

/** PUT multipart files streamed through a hash, never held in memory: their sizes and SHA-256. */
export async function upload(request: WsgiRequest) {
  const hashes = new Map<UploadedFile, string>()
  const { fields, files } = await request.multipart({
    onFile: async (file, data) => {
      const hash = createHash('sha256')
      for await (const chunk of data) hash.update(chunk as Buffer)
      hashes.set(file, hash.digest('hex'))
    },
  })
  return {
    form: multiDict(fields),
    files: files.map((file) => {
      const { field, filename, type, size } = file
      return { field, filename, type, size, sha256: hashes.get(file) }
    }),
  }
}

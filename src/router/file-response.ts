/**
 * A file as a response (pulsar's `file_response`): streamed with its length,
 * type, ETag and Last-Modified; 304 for a client whose copy is current; one
 * byte range with 206, 416 when it cannot be served.
 * @module
 */
import { type FileHandle, open } from 'node:fs/promises'
import type { Stats } from 'node:fs'

import { Http404, HttpException } from '../wsgi/errors.js'
import { parseHttpDate } from '../wsgi/http-date.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { WsgiResponse } from '../wsgi/response.js'
import { contentTypeOf } from './mime.js'

/** How a file is served. */
export interface FileResponseOptions {
  /** Seconds clients may cache the file (`Cache-Control: public, max-age=N`). @default 86400 */
  maxAge?: number
  /** The Content-Type. @default from the file's extension */
  contentType?: string
  /** Bytes read from the file at a time (pulsar's `block`). @default 65536 */
  blockSize?: number
}

/** A byte range to send, both ends included. */
interface ByteRange {
  start: number
  end: number
}

/** The ETag of a file: its size and modification time (as nginx makes them). */
function etagOf(stats: Stats): string {
  return `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '')
}

/** RFC 9110 §13.1.2 and §13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since. */
function isNotModified(request: WsgiRequest, etag: string, mtime: Date): boolean {
  const noneMatch = request.header('if-none-match')
  if (noneMatch !== undefined)
    return noneMatch.trim() === '*' || noneMatch.split(',').some((tag) => opaque(tag) === etag)
  // an invalid date is ignored (RFC 9110 §13.1.3)
  const since = parseHttpDate(request.header('if-modified-since'))
  return since !== undefined && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000)
}

/** RFC 9110 §13.1.5: a range is served only while the client's validator is still the file's. */
function ifRangeHolds(request: WsgiRequest, etag: string, mtime: Date): boolean {
  const condition = request.header('if-range')?.trim()
  if (condition === undefined) return true
  if (condition.startsWith('"')) return condition === etag
  if (condition.startsWith('W/')) return false
  return parseHttpDate(condition) === Math.floor(mtime.getTime() / 1000) * 1000
}

/**
 * RFC 9110 §14.2: one `bytes` range of a file of `size` bytes; `undefined`
 * to send the whole file (no Range, several ranges, or a malformed one),
 * `null` when it cannot be satisfied.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | undefined {
  const match = header === undefined ? null : /^\s*bytes=(\d*)-(\d*)\s*$/i.exec(header)
  if (!match) return undefined
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    return suffix === 0 || size === 0 ? null : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? Infinity : Number(last)
  if (end < start) return undefined
  if (start >= size) return null
  return { start, end: Math.min(end, size - 1) }
}

async function closeQuietly(handle: FileHandle): Promise<void> {
  await handle.close().catch(() => undefined)
}

/** A response for the file at `path` (404 when it is not a regular file). */
export async function fileResponse(
  request: WsgiRequest,
  path: string,
  options: FileResponseOptions = {},
): Promise<WsgiResponse> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch {
    throw new Http404()
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new Http404()
    const etag = etagOf(stats)
    const headers: [string, string][] = [
      ['ETag', etag],
      ['Last-Modified', stats.mtime.toUTCString()],
      ['Cache-Control', `public, max-age=${options.maxAge ?? 86400}`],
    ]
    if (isNotModified(request, etag, stats.mtime)) {
      await closeQuietly(handle)
      return new WsgiResponse(304, undefined, headers)
    }
    const size = stats.size
    const range = ifRangeHolds(request, etag, stats.mtime)
      ? parseRange(request.header('range'), size)
      : undefined
    if (range === null)
      throw new HttpException('Range Not Satisfiable', 416, [['Content-Range', `bytes */${size}`]])
    const { start, end } = range ?? { start: 0, end: size - 1 }
    const length = end - start + 1
    headers.push(['Accept-Ranges', 'bytes'], ['Content-Length', String(length)])
    if (range) headers.push(['Content-Range', `bytes ${start}-${end}/${size}`])
    const response = new WsgiResponse(
      range ? 206 : 200,
      undefined,
      headers,
      options.contentType ?? contentTypeOf(path),
    )
    if (request.method === 'HEAD' || length === 0) await closeQuietly(handle)
    // the stream closes the file when it ends, fails or is closed with the response
    else
      response.content = handle.createReadStream({
        start,
        end,
        highWaterMark: options.blockSize ?? 65536,
      })
    return response
  } catch (error) {
    await closeQuietly(handle)
    throw error
  }
}

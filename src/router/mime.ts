/**
 * Media types of static files by extension, from the table `send`,
 * `serve-static` and Express use (mime-types over mime-db); anything it does
 * not know is `application/octet-stream`. The table is about 200 kB of JSON,
 * so it is read on first use (a MediaRouter reads it when built), not when
 * pulsar-ts is imported.
 * @module
 */
import { extname } from 'node:path'

import type * as MimeTypes from 'mime-types'

import { lazyRequire } from '../wsgi/lazy.js'

const mimeTypes = lazyRequire<typeof MimeTypes>('mime-types')

/** Reads the table now, so the first request does not wait for it. */
export function loadMediaTypes(): void {
  mimeTypes()
}

/** The lower-case extension of a file name, without the dot (`''` when it has none). */
export function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase()
}

/** Whether a type is text a browser decodes with the charset: text/*, JSON, XML. */
function isText(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    type.endsWith('/xml')
  )
}

/**
 * The Content-Type of a file by its extension; text types (text/*, JSON,
 * XML, and those the table gives a charset) get `charset=utf-8`.
 */
export function contentTypeOf(name: string): string {
  const mime = mimeTypes()
  const type = mime.lookup(name) || 'application/octet-stream'
  return isText(type) || mime.charset(type) ? `${type}; charset=utf-8` : type
}

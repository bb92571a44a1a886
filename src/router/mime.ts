/**
 * Media types of static files by extension: the common web types, enough for
 * a site's assets; anything else is `application/octet-stream`.
 * @module
 */
import { extname } from 'node:path'

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  wasm: 'application/wasm',
})

/** The lower-case extension of a file name, without the dot (`''` when it has none). */
export function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase()
}

/** The Content-Type of a file by its extension; text types get `charset=utf-8`. */
export function contentTypeOf(name: string): string {
  const extension = extensionOf(name)
  const type = Object.hasOwn(TYPES, extension) ? TYPES[extension]! : 'application/octet-stream'
  const text =
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+xml') ||
    type.endsWith('/xml')
  return text ? `${type}; charset=utf-8` : type
}

/**
 * Compressed responses (Accept-Encoding: gzip, zlib level 6): pulsar-ts
 * with compression() against raw node:http with the `compression` package
 * (the baseline) and Fastify with @fastify/compress, on a JSON document of
 * about 10 KiB and a text of about 100 KiB.
 */
import { gunzipSync } from 'node:zlib'

import { type Response, httpSuite } from '../http-load.js'
import { JSON_PAYLOAD, TEXT_PAYLOAD } from '../servers/compress-payloads.js'

const SERVERS = { raw: 'compress-raw.ts', wsgi: 'compress-wsgi.ts', fastify: 'compress-fastify.ts' }

/** Throws unless the answer is the payload, gzipped, as every server must send it. */
function checkGzip(expected: Buffer) {
  return (name: string, { status, headers, body }: Response) => {
    const show = (value: unknown) => JSON.stringify(value) ?? 'none'
    let decoded: Buffer | undefined
    try {
      decoded = gunzipSync(body)
    } catch {
      decoded = undefined
    }
    const vary = String(headers.vary ?? '').toLowerCase()
    const problems = [
      status === 200 ? '' : `status ${status}`,
      headers['content-encoding'] === 'gzip'
        ? ''
        : `Content-Encoding ${show(headers['content-encoding'])}`,
      vary.includes('accept-encoding') ? '' : `Vary ${show(headers.vary)}`,
      decoded?.equals(expected) ? '' : 'a body that does not gunzip to the payload',
      body.length < expected.length / 3 ? '' : `a body of ${body.length} bytes, hardly compressed`,
    ].filter(Boolean)
    if (problems.length)
      throw new Error(`${name} does not answer like the others: ${problems.join(', ')}`)
  }
}

function suite(path: string, payload: Buffer, what: string, overRaw: number) {
  return httpSuite({
    title: `Compression: GET ${path} -> 200, ${what} (${payload.length} bytes) gzipped at level 6`,
    servers: SERVERS,
    // the compressed bytes may differ from server to server: check() decodes each answer once
    load: { path, headers: { 'Accept-Encoding': 'gzip' } },
    check: checkGzip(payload),
    targets: [
      { of: ['wsgi', 'raw'], by: 'rate', atLeast: overRaw },
      { of: ['wsgi', 'fastify'], by: 'rate', atLeast: 1.0 },
    ],
  })
}

export const compressionJson = suite('/json', JSON_PAYLOAD, 'JSON', 1.0)
// on 100 KiB nearly all the work is zlib's, the same library for every server: parity is the ceiling
export const compressionText = suite('/text', TEXT_PAYLOAD, 'text', 0.95)

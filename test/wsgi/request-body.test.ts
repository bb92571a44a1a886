/** WsgiRequest's parsed bodies: JSON (types, malformed, prototype pollution), forms and multipart. */
import type { Readable } from 'node:stream'

import { describe, expect, it } from 'vitest'

import { UnsupportedMediaType, WsgiHandler, WsgiRequest } from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { parseJson } from '../../src/wsgi/json-body.js'
import { serve } from '../helpers/listen.js'

function request(body: string, contentType?: string, settings = {}) {
  const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {}
  return new WsgiRequest(testWsgiEnviron({ method: 'POST', body, headers, ...settings }))
}

describe('WsgiRequest.json', () => {
  it('parses JSON bodies declared as JSON, or with no Content-Type', async () => {
    expect(await request('{"a":[1]}', 'application/json').json()).toEqual({ a: [1] })
    expect(await request('[1]', 'application/vnd.api+json; charset=utf-8').json()).toEqual([1])
    expect(await request('"x"', 'text/json').json()).toBe('x')
    expect(await request('{"jsonrpc":"2.0"}', 'application/json-rpc').json()).toEqual({
      jsonrpc: '2.0',
    })
    expect(await request('{"b":2}').json()).toEqual({ b: 2 })
  })

  it('refuses a body declared as another type with 415', async () => {
    await expect(request('a=1', 'application/x-www-form-urlencoded').json()).rejects.toMatchObject({
      status: 415,
      message: 'Expected a JSON body, got application/x-www-form-urlencoded',
    })
    await expect(request('{}', 'text/plain').json()).rejects.toMatchObject({ status: 415 })
    await expect(request('{}', 'multipart/form-data').json()).rejects.toMatchObject({ status: 415 })
  })

  it('answers malformed JSON with 400 and a clear message', async () => {
    await expect(request('{"a":', 'application/json').json()).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Invalid JSON body: /) as unknown,
    })
    await expect(request('', 'application/json').json()).rejects.toMatchObject({
      status: 400,
      message: 'Empty JSON body',
    })
  })

  it('parses without capturing a stack for malformed text, and restores the limit', () => {
    const limit = Error.stackTraceLimit
    expect(parseJson('{"a":[1]}')).toEqual({ a: [1] })
    let thrown: unknown
    try {
      parseJson('{"a":')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(SyntaxError)
    expect((thrown as Error).stack).not.toMatch(/^\s+at /m)
    expect(Error.stackTraceLimit).toBe(limit)
    expect(new Error('after').stack).toMatch(/^\s+at /m)
  })

  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

  it('refuses a body nested deeper than max_json_depth (128) with 400, from the request and the input', async () => {
    expect(await request(nested(128), 'application/json').json()).toEqual(JSON.parse(nested(128)))
    // deep enough for JSON.stringify to overflow the stack on an echo of the body
    const objects = '{"a":'.repeat(129) + '1' + '}'.repeat(129)
    for (const body of [nested(129), nested(100_000), objects]) {
      await expect(request(body, 'application/json').json()).rejects.toMatchObject({
        status: 400,
        message: 'The JSON body nests deeper than 128 levels',
      })
      await expect(
        testWsgiEnviron({ method: 'POST', body })['wsgi.input'].json(),
      ).rejects.toMatchObject({ status: 400 })
    }
  })

  it('counts no bracket inside a string, escaped quotes included', async () => {
    const body = JSON.stringify({ s: '['.repeat(1000) + '"\\' + '{'.repeat(1000), t: [[1]] })
    expect(await request(body, 'application/json').json()).toEqual(JSON.parse(body))
  })

  it('takes the depth limit from the max_json_depth setting', async () => {
    const settings = { max_json_depth: 4 }
    expect(await request(nested(4), 'application/json', settings).json()).toEqual([[[[]]]])
    await expect(request(nested(5), 'application/json', settings).json()).rejects.toMatchObject({
      status: 400,
      message: 'The JSON body nests deeper than 4 levels',
    })
    const input = testWsgiEnviron({ method: 'POST', body: nested(5), ...settings })['wsgi.input']
    await expect(input.json()).rejects.toMatchObject({ status: 400 })
  })

  const POLLUTING = [
    '{"__proto__": {"polluted": 1}}',
    '{"a": [{"b": {"__proto__": {"polluted": 1}}}]}',
    '{"\\u005f_proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"polluted": 1}}}',
    '{"x": {"constructor": {"\\u0070rototype": {"polluted": 1}}}}',
  ]
  it.each(POLLUTING)('refuses %s with 400, and no prototype changes', async (body) => {
    await expect(request(body, 'application/json').json()).rejects.toMatchObject({ status: 400 })
    await expect(
      testWsgiEnviron({ method: 'POST', body })['wsgi.input'].json(),
    ).rejects.toMatchObject({ status: 400 })
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('keeps harmless keys that look alike', async () => {
    const body = '{"constructor": "Ford", "prototype": 1, "proto": {"__x__": 2}, "s": "\\u00e9"}'
    expect(await request(body, 'application/json').json()).toEqual({
      constructor: 'Ford',
      prototype: 1,
      proto: { __x__: 2 },
      s: 'é',
    })
  })

  it('walks a deeply nested body without overflowing the stack, with the depth limit raised', async () => {
    const depth = 100_000
    const body = '['.repeat(depth) + '"__proto__"' + ']'.repeat(depth)
    const parsed = await request(body, 'application/json', { max_json_depth: depth }).json()
    expect(Array.isArray(parsed)).toBe(true)
  })
})

describe('WsgiRequest.form', () => {
  it('reads urlencoded forms with repeated keys', async () => {
    const form = await request(
      'numero=1&numero=2&name=a+b',
      'application/x-www-form-urlencoded',
    ).form()
    expect(form.getAll('numero')).toEqual(['1', '2'])
    expect(form.get('name')).toBe('a b')
  })
  it('decodes the declared charset, and refuses one it does not know with 415', async () => {
    const latin = new WsgiRequest(
      testWsgiEnviron({
        method: 'POST',
        body: Buffer.from('a=\xe9', 'latin1'),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=latin1' },
      }),
    )
    expect((await latin.form()).get('a')).toBe('é')
    for (const type of ['text/plain; charset=bogus', 'application/json; charset="x-unknown"']) {
      await expect(request('{}', type).text()).rejects.toMatchObject({
        status: 415,
        message: expect.stringMatching(/^Unsupported charset /) as unknown,
      })
    }
    await expect(
      request('a=1', 'application/x-www-form-urlencoded; charset=bogus').form(),
    ).rejects.toMatchObject({ status: 415 })
  })
})

function multipartBody(boundary: string, parts: string[]): string {
  return parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`
}

const BOUNDARY = 'XyZ'
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`
const TWO_PARTS = multipartBody(BOUNDARY, [
  'Content-Disposition: form-data; name="title"\r\n\r\nhello ü',
  'Content-Disposition: form-data; name="doc"; filename="../../etc/a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body',
])

describe('WsgiRequest.multipart', () => {
  it('reads fields and files, keeping files in memory and only their base names', async () => {
    const { fields, files } = await request(TWO_PARTS, MULTIPART).multipart()
    expect(fields.get('title')).toBe('hello ü')
    expect(files).toEqual([
      {
        field: 'doc',
        filename: 'a.txt',
        type: 'text/plain',
        size: 9,
        data: Buffer.from('file body'),
      },
    ])
  })

  it('returns the same result when asked twice, and parses a body already read', async () => {
    const twice = request(TWO_PARTS, MULTIPART)
    expect(await twice.multipart()).toBe(await twice.multipart())
    const read = request(TWO_PARTS, MULTIPART)
    expect((await read.body()).length).toBe(Buffer.byteLength(TWO_PARTS))
    expect((await read.multipart()).fields.get('title')).toBe('hello ü')
  })

  it('streams files to onFile instead of keeping them', async () => {
    const streamed: string[] = []
    const { files } = await request(TWO_PARTS, MULTIPART).multipart({
      onFile: async (file, stream: Readable) => {
        let text = ''
        for await (const chunk of stream) text += String(chunk)
        streamed.push(`${file.field}:${text}`)
      },
    })
    expect(streamed).toEqual(['doc:file body'])
    expect(files[0]).toMatchObject({ filename: 'a.txt', size: 9, data: Buffer.alloc(0) })
  })

  it('rejects with the error onFile throws', async () => {
    const refused = request(TWO_PARTS, MULTIPART).multipart({
      onFile: () => {
        throw new UnsupportedMediaType('no text files')
      },
    })
    await expect(refused).rejects.toMatchObject({ status: 415, message: 'no text files' })
  })

  it('skips what onFile leaves unread, and still ends', async () => {
    const { fields } = await request(TWO_PARTS, MULTIPART).multipart({ onFile: () => undefined })
    expect(fields.get('title')).toBe('hello ü')
  })

  it('refuses another body type with 415', async () => {
    await expect(request('{}', 'application/json').multipart()).rejects.toMatchObject({
      status: 415,
    })
    await expect(request('x').multipart()).rejects.toMatchObject({
      status: 415,
      message: 'Expected a multipart/form-data body, got no Content-Type',
    })
  })

  it('answers a malformed body with 400', async () => {
    await expect(request(TWO_PARTS, 'multipart/form-data').multipart()).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Malformed multipart body: .*[Bb]oundary/) as unknown,
    })
    const truncated = TWO_PARTS.slice(0, 80)
    await expect(request(truncated, MULTIPART).multipart()).rejects.toMatchObject({ status: 400 })
    // RFC 7578 §4.2: a part without a name, a field or a file, is no form data
    for (const part of [
      'Content-Disposition: form-data\r\n\r\nno name',
      'Content-Disposition: form-data; filename="a.txt"\r\n\r\nfile body',
    ])
      await expect(
        request(multipartBody(BOUNDARY, [part]), MULTIPART).multipart(),
      ).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(/without a name/) as unknown,
      })
  })

  it('answers every limit with 413', async () => {
    await expect(request(TWO_PARTS, MULTIPART).multipart({ fileSize: 4 })).rejects.toMatchObject({
      status: 413,
      message: 'File a.txt is over 4 bytes',
    })
    await expect(request(TWO_PARTS, MULTIPART).multipart({ fieldSize: 3 })).rejects.toMatchObject({
      status: 413,
    })
    await expect(request(TWO_PARTS, MULTIPART).multipart({ files: 0 })).rejects.toMatchObject({
      status: 413,
    })
    await expect(request(TWO_PARTS, MULTIPART).multipart({ fields: 0 })).rejects.toMatchObject({
      status: 413,
    })
    // the whole body is bounded by stream_buffer, which is also the default file limit
    await expect(
      request(TWO_PARTS, MULTIPART, { stream_buffer: 100 }).multipart(),
    ).rejects.toMatchObject({ status: 413 })
  })
})

describe('bodies over a real socket', () => {
  const echo = new WsgiHandler([
    new Router('/json', { post: async (r) => ({ got: await r.json() }) }),
    new Router('/form', { post: async (r) => Object.fromEntries(await r.form()) }),
    new Router('/multipart', {
      post: async (r) => {
        const { fields, files } = await r.multipart()
        return {
          fields: Object.fromEntries(fields),
          files: files.map((f) => ({ ...f, data: f.data.toString('base64') })),
        }
      },
    }),
  ])

  it('parses what fetch sends: JSON, urlencoded and FormData with a binary file', async () => {
    const { url } = await serve(echo, { stream_buffer: 64 * 1024 })
    const json = await fetch(`${url}/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":[1,2]}',
    })
    expect(await json.json()).toEqual({ got: { a: [1, 2] } })
    const form = await fetch(`${url}/form`, {
      method: 'POST',
      body: new URLSearchParams('x=1&y=2'),
    })
    expect(await form.json()).toEqual({ x: '1', y: '2' })
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const data = new FormData()
    data.append('name', 'pulsar')
    data.append('image', new Blob([bytes], { type: 'image/png' }), 'bytes.png')
    const multipart = await fetch(`${url}/multipart`, { method: 'POST', body: data })
    const result = (await multipart.json()) as { fields: unknown; files: { data: string }[] }
    expect(result.fields).toEqual({ name: 'pulsar' })
    expect(result.files).toEqual([
      {
        field: 'image',
        filename: 'bytes.png',
        type: 'image/png',
        size: 256,
        data: bytes.toString('base64'),
      },
    ])
  })

  it('answers bad bodies with 400, 413 and 415 and keeps serving', async () => {
    const { url } = await serve(echo, { stream_buffer: 1024 })
    const post = (path: string, body: string | FormData, type?: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        body,
        headers: type ? { 'Content-Type': type } : {},
      })
    expect((await post('/json', '{"a":', 'application/json')).status).toBe(400)
    expect((await post('/json', '{"__proto__":{}}', 'application/json')).status).toBe(400)
    expect((await post('/json', 'a=1', 'application/x-www-form-urlencoded')).status).toBe(415)
    expect((await post('/form', '{}', 'application/json')).status).toBe(415)
    const big = new FormData()
    big.append('file', new Blob([Buffer.alloc(4096)]), 'big.bin')
    expect((await post('/multipart', big)).status).toBe(413)
    expect((await post('/json', '[1]', 'application/json')).status).toBe(200)
  })
})

describe('a body parsed in process', () => {
  it('reaches handlers through inject too', async () => {
    const handler = new WsgiHandler([
      new Router('/', {
        post: async (r) => {
          const { fields, files } = await r.multipart()
          return { title: fields.get('title'), file: files[0]?.data.toString() }
        },
      }),
    ])
    const response = await inject(handler, {
      method: 'POST',
      body: TWO_PARTS,
      headers: { 'Content-Type': MULTIPART },
    })
    expect(response.status).toBe(200)
    expect(response.json()).toEqual({ title: 'hello ü', file: 'file body' })
  })
})

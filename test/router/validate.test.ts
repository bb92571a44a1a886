/** Schemas at a route's edges (zod and valibot, over a real socket): URL arguments, query, JSON and form bodies. */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'

import { Http401, type StandardSchemaV1, WsgiHandler } from 'pulsar-ts'
import { Router, validated } from 'pulsar-ts/router'

import { serve } from '../helpers/listen.js'

const User = z.object({ name: z.string().min(1), age: z.number().int().default(18) })
const Page = v.object({
  page: v.optional(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number)), '1'),
  tag: v.optional(v.union([v.string(), v.array(v.string())])),
})

const api = new Router('/api')
api.route('users/<int:id>', {
  get: validated({ query: Page }, (request) => ({
    id: request.urlargs.id,
    query: request.valid('query'),
  })),
  put: validated({ json: User }, async (request) => ({
    id: request.urlargs.id,
    user: await request.json(),
  })),
  post: validated(
    { json: User, form: z.object({ name: z.string(), avatar: z.any().optional() }) },
    async (request) => {
      if (request.contentType === 'application/json') return { json: await request.json() }
      const form = request.valid('form')
      const avatar = form.avatar as { filename: string; size: number } | undefined
      return { form: { name: form.name, avatar: avatar && [avatar.filename, avatar.size] } }
    },
  ),
})
api.route('items/<int:id>', {
  get: validated({ urlargs: z.object({ id: z.number().min(1) }) }, (request) => request.urlargs),
  delete: validated(
    {
      query: z.object({
        token: z.string().refine(async (token) => (await Promise.resolve(token)) === 'yes', {
          message: 'wrong token',
        }),
      }),
    },
    () => null,
  ),
})
// a schema that passes the query through untouched, to see the object the router builds
const asIs: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as never }) },
}
api.route('loose', {
  get: validated({ query: asIs }, (request) => {
    const query = request.valid('query')
    return { prototype: Object.getPrototypeOf(query) as unknown, keys: Object.keys(query), query }
  }),
})
api.route('guarded', {
  responseWrapper: (handler, request) => {
    if (request.header('authorization') !== 'yes') throw new Http401('Basic realm="api"')
    return handler(request)
  },
  put: validated({ json: User }, async (request) => (await request.json()).name),
})

async function start() {
  const { url } = await serve(new WsgiHandler([api]))
  return (path: string, init: RequestInit = {}) => fetch(new URL(path, url), init)
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
})

describe('validated routes', () => {
  it('gives the handler the JSON body as the schema outputs it', async () => {
    const request = await start()
    const response = await request('/api/users/7', json('PUT', { name: 'ada' }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: 7, user: { name: 'ada', age: 18 } })
  })

  it('answers a body the schema refuses with 400 and its issues, as JSON, HTML or text', async () => {
    const request = await start()
    const response = await request('/api/users/7', json('PUT', { name: '', age: 'old' }))
    expect(response.status).toBe(400)
    const page = (await response.json()) as { status: number; message: string; issues: unknown[] }
    expect(page.status).toBe(400)
    expect(page.message).toBe('Invalid JSON body')
    expect(page.issues).toEqual([
      { message: expect.any(String), path: ['json', 'name'] },
      { message: expect.stringContaining('number'), path: ['json', 'age'] },
    ])
    const html = await request('/api/users/7', json('PUT', {}, { accept: 'text/html' }))
    expect(html.status).toBe(400)
    expect(await html.text()).toMatch(/<ul class="pulsar-issues"><li>json\.name: [^<]+<\/li><\/ul>/)
    const text = await request('/api/users/7', json('PUT', {}, { accept: 'text/plain' }))
    expect(await text.text()).toMatch(/^Invalid JSON body\n- json\.name: .+\n$/)
  })

  it('keeps the answers of the body itself: malformed JSON is 400, another type 415', async () => {
    const request = await start()
    const malformed = await request('/api/users/7', json('PUT', '{"name":'))
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).not.toHaveProperty('issues')
    const xml = await request('/api/users/7', {
      method: 'PUT',
      body: '<user/>',
      headers: { 'content-type': 'application/xml' },
    })
    expect(xml.status).toBe(415)
  })

  it('checks the query as an object of strings and arrays of strings (valibot)', async () => {
    const request = await start()
    const response = await request('/api/users/3?page=2&tag=a&tag=b')
    expect(await response.json()).toEqual({ id: 3, query: { page: 2, tag: ['a', 'b'] } })
    expect(await (await request('/api/users/3')).json()).toEqual({ id: 3, query: { page: 1 } })
    const bad = await request('/api/users/3?page=two', { headers: { accept: 'application/json' } })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      message: 'Invalid query',
      issues: [{ path: ['query', 'page'] }],
    })
  })

  it('lets no query key reach a prototype', async () => {
    const request = await start()
    const response = await request('/api/loose?__proto__=a&__proto__=b&constructor=c')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      prototype: null,
      keys: ['__proto__', 'constructor'],
      query: { ['__proto__']: ['a', 'b'], constructor: 'c' },
    })
    expect(({} as Record<string, unknown>).length).toBeUndefined()
  })

  it('checks a form body, urlencoded or multipart with files, and picks the body schema by type', async () => {
    const request = await start()
    const urlencoded = await request('/api/users/1', {
      method: 'POST',
      body: new URLSearchParams({ name: 'ada' }),
    })
    expect(await urlencoded.json()).toEqual({ form: { name: 'ada' } })
    const multipart = new FormData()
    multipart.set('name', 'bob')
    multipart.set('avatar', new Blob(['12345']), 'me.png')
    const response = await request('/api/users/1', { method: 'POST', body: multipart })
    expect(await response.json()).toEqual({ form: { name: 'bob', avatar: ['me.png', 5] } })
    const asJson = await request('/api/users/1', json('POST', { name: 'cy' }))
    expect(await asJson.json()).toEqual({ json: { name: 'cy', age: 18 } })
    const invalid = await request('/api/users/1', {
      method: 'POST',
      body: new URLSearchParams({ nom: 'x' }),
      headers: { accept: 'application/json' },
    })
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ issues: [{ path: ['form', 'name'] }] })
  })

  it('checks the URL arguments after the converters, and gives the output to the handler', async () => {
    const request = await start()
    expect(await (await request('/api/items/5')).json()).toEqual({ id: 5 })
    const zero = await request('/api/items/0', { headers: { accept: 'application/json' } })
    expect(zero.status).toBe(400)
    expect(await zero.json()).toMatchObject({
      message: 'Invalid URL arguments',
      issues: [{ path: ['urlargs', 'id'] }],
    })
    // a value the converter refuses is still the route's 404
    expect((await request('/api/items/abc')).status).toBe(404)
  })

  it('runs asynchronous schemas', async () => {
    const request = await start()
    expect((await request('/api/items/1?token=yes', { method: 'DELETE' })).status).toBe(204)
    const no = await request('/api/items/1?token=no', {
      method: 'DELETE',
      headers: { accept: 'application/json' },
    })
    expect(await no.json()).toMatchObject({ issues: [{ message: 'wrong token' }] })
  })

  it('runs the response wrapper (authentication) before the schemas', async () => {
    const request = await start()
    expect((await request('/api/guarded', json('PUT', {}))).status).toBe(401)
    const ok = await request('/api/guarded', json('PUT', { name: 'ada' }, { authorization: 'yes' }))
    expect(await ok.text()).toBe('ada')
  })

  it('refuses a schema that is not a Standard Schema, or an unknown target, when the router is made', () => {
    expect(() => validated({ json: {} as never }, () => null)).toThrow(/not a Standard Schema/)
    expect(
      () => new Router('/x', { post: { schema: { body: User } as never, handle: () => null } }),
    ).toThrow(/"body" is no schema target/)
  })
})

/**
 * What each server block of the docs answers (test/helpers/docs.ts), keyed
 * by the block's title: the probe gets the URL the block's server listens
 * on, port 0 of 127.0.0.1, and checks the claims its doc makes around it.
 * A server block without a probe, or a probe without its block, fails
 * test/docs/docs.test.ts.
 */
import { expect } from 'vitest'

import type { Run } from '../helpers/process.js'
import { TestClient } from '../helpers/ws.js'

/** Checks a served block's answers; `served` is its process, whose stdout it may wait on. */
export type Probe = (url: string, served: Run) => Promise<void>

const WAIT_MS = 30_000

async function text(url: string, init?: RequestInit): Promise<[Response, string]> {
  const response = await fetch(url, init)
  return [response, await response.text()]
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
})

/** A JSON-RPC call over HTTP; resolves with the reply. */
async function call(url: string, method: string, params: unknown): Promise<unknown> {
  const [, body] = await text(url, json('POST', { jsonrpc: '2.0', id: 1, method, params }))
  return JSON.parse(body)
}

const ws = (url: string, path: string, headers: Record<string, string> = {}) =>
  TestClient.connect(`${url.replace(/^http/, 'ws')}${path}`, [], { headers })

/** The WebSocket blocks' echo: refused before the 101 without credentials or from another origin. */
async function authenticatedEcho(url: string): Promise<void> {
  await expect(ws(url, '/echo')).rejects.toThrow('Unexpected response 401')
  const auth = { Authorization: 'Bearer t' }
  await expect(ws(url, '/echo', { ...auth, Origin: 'https://evil.example' })).rejects.toThrow(
    'Unexpected response 403',
  )
  const client = await ws(url, '/echo', { ...auth, Origin: 'https://app.example' })
  expect(await client.ask('hi', WAIT_MS)).toBe('hi')
  client.socket.close()
}

export const PROBES: Record<string, Probe> = {
  'README.md › Hello, world': async (url) => {
    const [response, body] = await text(url)
    expect(body).toBe('Hello World!\n')
    expect(response.headers.get('content-length')).toBe('13')
  },

  'README.md › Middleware and responses': async (url) => {
    const host = new URL(url).host
    const [echoed, body] = await text(`${url}/echo`, json('POST', { a: 1 }))
    expect(body).toBe(`{"got":{"a":1},"from":"${host}"}`)
    expect(echoed.headers.get('x-powered-by')).toBe('pulsar-ts')
    // what `curl -d` sends
    const [form, refusal] = await text(`${url}/echo`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
    })
    expect([form.status, refusal]).toEqual([
      415,
      'Expected a JSON body, got application/x-www-form-urlencoded\n',
    ])
    expect((await fetch(`${url}/echo`)).status).toBe(405)
    const [other] = await text(`${url}/other`)
    expect(other.status).toBe(404)
    expect(other.headers.get('x-powered-by')).toBe('pulsar-ts') // error pages get it too
  },

  'README.md › Routes': async (url) => {
    expect(await (await fetch(`${url}/api/users/5`)).json()).toEqual({ id: 5 })
    expect((await fetch(`${url}/api/users/abc`)).status).toBe(404)
    expect((await fetch(`${url}/api/users/5`, { method: 'DELETE' })).status).toBe(204)
    const [patched] = await text(`${url}/api/users/5`, { method: 'PATCH' })
    expect([patched.status, patched.headers.get('allow')]).toEqual([
      405,
      'GET, HEAD, DELETE, OPTIONS',
    ])
    const [created, user] = await text(`${url}/api/users`, json('POST', { name: 'Ada' }))
    expect([created.status, JSON.parse(user)]).toEqual([201, { name: 'Ada' }])
    const [refused, issues] = await text(`${url}/api/users`, {
      ...json('POST', { name: 1 }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    })
    expect(refused.status).toBe(400)
    expect(JSON.parse(issues)).toMatchObject({ issues: [{ path: ['json', 'name'] }] })
    expect((await fetch(`${url}/media/nothing.txt`)).status).toBe(404)
  },

  'README.md › JSON-RPC': async (url) => {
    expect(await call(`${url}/rpc`, 'calc.add', [3, 4])).toMatchObject({ result: 7 })
    expect(await call(`${url}/rpc`, 'calc.add', ['3', 4])).toMatchObject({
      error: { code: -32602 },
    })
  },

  'README.md › WebSockets': authenticatedEcho,

  'docs/contract.md › Callables': async (url) => {
    expect(await text(url).then(([, body]) => body)).toBe('Welcome')
    expect((await fetch(`${url}/other`)).status).toBe(404)
  },

  'docs/contract.md › Nested handlers': async (url) => {
    const [hello, body] = await text(`${url}/hello`)
    expect(body).toBe('Hello')
    expect(hello.headers.get('x-content-type-options')).toBe('nosniff')
    // the inner handler's 404 goes through the outer response middleware
    const [missing] = await text(`${url}/other`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff')
  },

  'docs/contract.md › Nested handlers #2': async (url) => {
    expect(await (await fetch(`${url}/users/1`)).json()).toEqual({ name: 'Ada' })
  },

  'docs/middleware.md › Middleware': async (url) => {
    const basic = `Basic ${Buffer.from('ada:secret').toString('base64')}`
    const [echoed, body] = await text(`${url}/echo`, json('POST', [1], { authorization: basic }))
    expect(JSON.parse(body)).toEqual({
      got: [1],
      user: { scheme: 'basic', username: 'ada', password: 'secret' },
    })
    expect(echoed.headers.get('x-content-type-options')).toBe('nosniff')
    const [preflight] = await text(`${url}/echo`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    const redirected = await fetch(`${url}//echo?x=1`, { redirect: 'manual' })
    expect([redirected.status, redirected.headers.get('location')]).toEqual([302, '/echo?x=1'])
  },

  'docs/pubsub.md › Pubsub channels': async (url, served) => {
    expect((await fetch(`${url}/a`)).status).toBe(202)
    await served.until(/^news \{ path: '\/a' \}$/m)
  },

  'docs/pubsub.md › PubSubWS: channels to WebSockets': async (url) => {
    const [ada, bob] = await Promise.all([ws(url, '/chat'), ws(url, '/chat')])
    ada.socket.send('hello')
    expect(await ada.next(WAIT_MS)).toBe('hello')
    expect(await bob.next(WAIT_MS)).toBe('hello')
    ada.socket.close()
    bob.socket.close()
  },

  'docs/router.md › The router': async (url) => {
    const [put, ok] = await text(`${url}/api/users/1`, json('PUT', { name: 'Ada' }))
    expect([put.status, JSON.parse(ok)]).toEqual([201, { ok: true }])
    expect(await (await fetch(`${url}/api/users/1`)).json()).toEqual({ name: 'Ada' })
    expect((await fetch(`${url}/api/users/2`)).status).toBe(204)
    const [refused, issues] = await text(
      `${url}/api/users/1`,
      json('PUT', { name: '' }, { accept: 'application/json' }),
    )
    expect(refused.status).toBe(400)
    expect(JSON.parse(issues)).toMatchObject({ issues: [{ path: ['json', 'name'] }] })
    expect(await text(`${url}/api/health`).then(([, body]) => body)).toBe('ok')
    expect((await fetch(`${url}/api/users/x`)).status).toBe(404)
  },

  'docs/rpc.md › JSON-RPC 2.0': async (url) => {
    expect(await call(`${url}/rpc`, 'calc.add', { a: 1, b: '2' })).toMatchObject({
      error: { code: -32602, data: { issues: [{ path: ['b'] }] } },
    })
    expect(await call(`${url}/rpc`, 'echo', [])).toMatchObject({ result: '' })
  },

  'docs/server.md › The server #2': async (url) => {
    expect(await text(url).then(([, body]) => body)).toBe('Hello')
  },

  'docs/websocket.md › WebSocket': authenticatedEcho,

  'docs/websocket.md › JSON-RPC over WebSocket': async (url) => {
    expect(await call(`${url}/rpc`, 'calc.add', [3, 4])).toMatchObject({ result: 7 })
  },
}

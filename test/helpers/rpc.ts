/** Helpers for the JSON-RPC tests: posting a message, and comparing replies the way the spec allows. */
import { type Callable, type Middleware, WsgiHandler } from 'pulsar-ts'
import { type InjectResponse, type TestRequest, inject } from 'pulsar-ts/testing'

/** POSTs `body` as application/json, in process, to a WsgiHandler running `middleware`. */
export function injectRpc(
  middleware: Callable<Middleware>,
  body: string,
  request: TestRequest = {},
): Promise<InjectResponse> {
  const app = middleware instanceof WsgiHandler ? middleware : new WsgiHandler([middleware])
  return inject(app, {
    method: 'POST',
    path: '/',
    body,
    ...request,
    headers: { 'Content-Type': 'application/json', ...(request.headers as object) },
  })
}

/** POSTs `body` as application/json to a real server, with `fetcher` (a transport's fetch). */
export function fetchRpc(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  fetcher: (url: string, init: RequestInit) => Promise<Response> = fetch,
) {
  return fetcher(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

function withoutData(response: unknown): unknown {
  if (typeof response !== 'object' || response === null || !('error' in response)) return response
  const { error } = response
  if (typeof error !== 'object' || error === null) return response
  const rest: Record<string, unknown> = { ...error }
  delete rest.data
  return { ...response, error: rest }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))
  return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]))
}

/**
 * A reply made comparable as the spec allows: `error.data` dropped, and the
 * entries of a batch sorted (by id, then content), since their order is free.
 */
export function comparable(reply: unknown): unknown {
  if (!Array.isArray(reply)) return withoutData(reply)
  return reply
    .map((entry) => withoutData(entry))
    .sort((a, b) => {
      const x = JSON.stringify(sortKeys(a))
      const y = JSON.stringify(sortKeys(b))
      return x < y ? -1 : x > y ? 1 : 0
    })
}

// a string (kept whole, so no number inside it is touched), or a number
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g

/**
 * The ids of a reply as the text it carries them in, sorted (a batch's order
 * is free): `1e400`, `-0`, `"x"`, `null`. `JSON.parse` cannot tell them
 * apart from what a double makes of them (Infinity, 0).
 */
export function replyIds(text: string): string[] {
  const lossless: unknown = JSON.parse(
    text.replace(TOKEN, (token) => (token.startsWith('"') ? token : `{"$number":"${token}"}`)),
  )
  const entries = (Array.isArray(lossless) ? lossless : [lossless]) as { id?: unknown }[]
  return entries
    .map(({ id }) =>
      id === undefined
        ? '(no id)'
        : typeof id === 'object' && id !== null
          ? (id as { $number: string }).$number
          : JSON.stringify(id),
    )
    .sort()
}

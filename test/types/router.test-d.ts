/**
 * Types of routes, checked by tsc (`npm run check`): URL arguments inferred
 * from rules, children inheriting their parent's, schemas typing the
 * request, and uses that must not compile.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the uses that must not compile have error types */
import { expectTypeOf } from 'vitest'
import * as v from 'valibot'
import * as z from 'zod'

import type { WsgiRequest } from 'pulsar-ts'
import {
  type Converter,
  Router,
  type UrlArgs,
  type UrlArgsOf,
  addConverter,
  validated,
} from 'pulsar-ts/router'

declare module 'pulsar-ts/router' {
  interface ConverterTypes {
    date: Date
  }
}

// each converter's value type
expectTypeOf<UrlArgsOf<'users/<int:id>'>>().toEqualTypeOf<{ id: number }>()
expectTypeOf<UrlArgsOf<'/a/<float:x>/<path:rest>'>>().toEqualTypeOf<{ x: number; rest: string }>()
expectTypeOf<UrlArgsOf<'<uuid:u>/<name>/<string(length=2):code>'>>().toEqualTypeOf<{
  u: string
  name: string
  code: string
}>()
expectTypeOf<UrlArgsOf<'/<int(min=1, max=10):n>'>>().toEqualTypeOf<{ n: number }>()
expectTypeOf<UrlArgsOf<'/<any(json, xml):kind>'>>().toEqualTypeOf<{ kind: 'json' | 'xml' }>()
expectTypeOf<UrlArgsOf<`/<any("a,b", 'c', True, 1):k>`>>().toEqualTypeOf<{
  k: 'a,b' | 'c' | 'true' | `${number}`
}>()
expectTypeOf<UrlArgsOf<'/static/page'>>().toEqualTypeOf<Record<never, never>>()
expectTypeOf<UrlArgsOf<string>>().toEqualTypeOf<UrlArgs>()
// a custom converter: its type from ConverterTypes; one nobody declared is unknown
expectTypeOf<UrlArgsOf<'/<date:day>/<slug:s>'>>().toEqualTypeOf<{ day: Date; s: unknown }>()

// the factory of a declared converter is checked against its type
const date = (): Converter<Date> => ({
  name: 'date',
  rest: false,
  toValue: (text) => new Date(text),
  toUrl: (value) => (value as Date).toISOString().slice(0, 10),
})
export const registerDate = () => addConverter('date', date)
// @ts-expect-error -- a date converter must give dates
export const wrongDate = () => addConverter('date', () => ({ ...date(), toValue: () => 'x' }))

// handlers get typed urlargs, with no cast
const api = new Router('/api/<any(v1, v2):version>', {
  get: (request) => expectTypeOf(request.urlargs).toEqualTypeOf<{ version: 'v1' | 'v2' }>(),
})
const user = api.route('users/<int:id>', {
  get: (request) => {
    expectTypeOf(request.urlargs.id).toEqualTypeOf<number>()
    expectTypeOf(request.urlargs.version).toEqualTypeOf<'v1' | 'v2'>()
    // @ts-expect-error -- an int is a number
    request.urlargs.id.toUpperCase()
    // @ts-expect-error -- the rule has no such variable
    return request.urlargs.name
  },
})
// children inherit their parent's arguments, at any depth
user.route('posts/<uuid:post>', {
  delete: (request) =>
    expectTypeOf(request.urlargs).toEqualTypeOf<{
      version: 'v1' | 'v2'
      id: number
      post: string
    }>(),
})
// the request is a WsgiRequest: it goes wherever one does
new Router('/x', { get: (request) => expectTypeOf(request).toExtend<WsgiRequest>() })
// an untyped router (a class, or one found by name) gives the child's arguments and lets others be read
class Users extends Router {}
new Users('/users').route('<int:id>', {
  get: (request) => {
    expectTypeOf(request.urlargs.id).toEqualTypeOf<number>()
    expectTypeOf(request.urlargs.other).toEqualTypeOf<unknown>()
  },
})

// path() takes the rule's arguments, typed
user.path({ version: 'v1', id: 5 })
// @ts-expect-error -- id is a number
user.path({ version: 'v1', id: 'five' })
// @ts-expect-error -- the rule has arguments
user.path()
new Router('/static').path()

// schemas type the request: zod and valibot alike
const User = z.object({ name: z.string(), age: z.number().int() })
const Query = v.object({ page: v.optional(v.pipe(v.string(), v.transform(Number)), '1') })
api.route('users/<int:id>/profile', {
  put: validated({ json: User, query: Query }, async (request) => {
    const body = await request.json()
    expectTypeOf(body).toEqualTypeOf<{ name: string; age: number }>()
    expectTypeOf(request.valid('query')).toEqualTypeOf<{ page: number }>()
    expectTypeOf(request.valid('json')).toEqualTypeOf<{ name: string; age: number }>()
    expectTypeOf(request.urlargs.id).toEqualTypeOf<number>()
    // @ts-expect-error -- no form schema
    request.valid('form')
    // @ts-expect-error -- name is a string
    return body.name * 2
  }),
  // a urlargs schema gives the arguments its output
  get: validated({ urlargs: z.object({ id: z.number().min(1) }) }, (request) =>
    expectTypeOf(request.urlargs).toEqualTypeOf<{ id: number }>(),
  ),
})
// in a constructor too
new Router('/<int:id>', {
  post: validated({ form: z.object({ a: z.string() }) }, (request) => {
    expectTypeOf(request.urlargs.id).toEqualTypeOf<number>()
    expectTypeOf(request.valid('form')).toEqualTypeOf<{ a: string }>()
  }),
})
// without a schema, json() is unknown and there is no valid()
new Router('/raw', {
  post: async (request) => {
    expectTypeOf(await request.json()).toEqualTypeOf<unknown>()
    // @ts-expect-error -- valid() needs a schema
    request.valid('json')
  },
})
// @ts-expect-error -- a schema target that does not exist
validated({ body: User }, () => null)

/**
 * Schemas at a route's edges: `validated({ json, query, form, urlargs },
 * handler)` checks what a request brings, with any Standard Schema (zod,
 * valibot, arktype...), before the handler runs. Input a schema refuses is
 * a 400 whose error page lists the issues; the handler's request is typed
 * from the schemas.
 * @module
 */
import { ValidationError } from '../wsgi/errors.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { type SchemaIssue, isStandardSchema, plainIssues } from '../wsgi/schema.js'
import {
  type RouteHandler,
  type RouteRequest,
  type RouteSchemas,
  type SchemaTarget,
  ValidatedRequest,
} from './route-request.js'
import type { UrlArgs } from './url-args.js'

/** A handler with the schemas its request is checked with; `validated()` makes one. */
export interface ValidatedHandler<
  A extends UrlArgs = UrlArgs,
  S extends RouteSchemas = RouteSchemas,
> {
  readonly schema: S
  handle(request: RouteRequest<A, S>): unknown
}

const TARGETS: readonly SchemaTarget[] = ['urlargs', 'query', 'json', 'form']
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data']
const WHAT: Record<SchemaTarget, string> = {
  urlargs: 'URL arguments',
  query: 'query',
  json: 'JSON body',
  form: 'form body',
}

/** Throws a `TypeError` unless every entry of `schema` is a Standard Schema of a known target. */
export function checkSchemas(schema: unknown): asserts schema is RouteSchemas {
  if (typeof schema !== 'object' || schema === null)
    throw new TypeError('A route schema is an object: { urlargs, query, json, form }')
  for (const [target, value] of Object.entries(schema)) {
    if (!TARGETS.includes(target as SchemaTarget))
      throw new TypeError(
        `${JSON.stringify(target)} is no schema target: urlargs, query, json, form`,
      )
    if (value !== undefined && !isStandardSchema(value))
      throw new TypeError(`The ${target} schema is not a Standard Schema (zod, valibot...)`)
  }
}

/**
 * A handler whose request is checked against `schema` first: the URL
 * arguments, the query, and the JSON or form body. Its request is typed
 * from the schemas (`await request.json()`, `request.valid('query')`) and
 * from the route's rule, which it learns where it is used.
 */
export function validated<const S extends RouteSchemas, A extends UrlArgs = UrlArgs>(
  schema: S,
  handle: (request: RouteRequest<A, S>) => unknown,
): ValidatedHandler<A, S> {
  checkSchemas(schema)
  if (typeof handle !== 'function') throw new TypeError('A validated handler is a function')
  return { schema, handle }
}

/** Whether a handler given to a router carries schemas. */
export function hasSchema(handler: unknown): handler is ValidatedHandler {
  return typeof handler === 'object' && handler !== null && 'schema' in handler
}

/** The handler that checks the request against `schema`, then calls `handle` with the checked values. */
export function checkedHandler(schema: RouteSchemas, handle: RouteHandler): RouteHandler {
  return async (request) => handle(await check(request, schema))
}

/** The body target of a request: the form schema for a form body, else the JSON one. */
function bodyTarget(request: WsgiRequest, schema: RouteSchemas): SchemaTarget | undefined {
  if (schema.form && (!schema.json || FORM_TYPES.includes(request.contentType))) return 'form'
  return schema.json ? 'json' : undefined
}

async function check(request: WsgiRequest, schema: RouteSchemas): Promise<ValidatedRequest> {
  const values = new Map<SchemaTarget, unknown>()
  const issues: SchemaIssue[] = []
  const body = bodyTarget(request, schema)
  for (const target of TARGETS) {
    const targetSchema = schema[target]
    if (targetSchema === undefined || ((target === 'json' || target === 'form') && target !== body))
      continue
    const result = await targetSchema['~standard'].validate(await inputOf(request, target))
    if (result.issues) issues.push(...plainIssues(result.issues, [target]))
    else values.set(target, result.value)
  }
  if (issues.length) {
    const targets = [...new Set(issues.map(({ path }) => WHAT[path[0] as SchemaTarget]))]
    throw new ValidationError(`Invalid ${targets.join(' and ')}`, issues)
  }
  const urlargs = values.has('urlargs') ? (values.get('urlargs') as UrlArgs) : request.urlargs
  return new ValidatedRequest(request.environ, urlargs, values)
}

/** What a schema of `target` checks. */
async function inputOf(request: WsgiRequest, target: SchemaTarget): Promise<unknown> {
  switch (target) {
    case 'urlargs':
      return request.urlargs
    case 'query':
      return multiValues(request.query)
    case 'json':
      return request.json()
    case 'form': {
      if (request.contentType !== 'multipart/form-data') return multiValues(await request.form())
      const { fields, files } = await request.multipart()
      const pairs: [string, unknown][] = [...fields]
      for (const file of files) pairs.push([file.field, file])
      return multiValues(pairs)
    }
  }
}

/**
 * Pairs as an object: a key given once has its value, given more often the
 * array of its values. The object has no prototype, so no key (`__proto__`,
 * `constructor`) reaches anything but its own value.
 */
export function multiValues<V>(pairs: Iterable<readonly [string, V]>): Record<string, V | V[]> {
  const object = Object.create(null) as Record<string, V | V[]>
  for (const [key, value] of pairs) {
    const seen = object[key]
    if (seen === undefined) object[key] = value
    else if (Array.isArray(seen)) seen.push(value)
    else object[key] = [seen, value]
  }
  return object
}

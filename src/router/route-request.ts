/**
 * The request a route handler gets, as the type checker sees it: its
 * `urlargs` typed from the rule (or their schema), `json()` and `valid()`
 * typed from the handler's schemas. A route without schemas gets a plain
 * `WsgiRequest`: the types cost nothing at run time.
 * @module
 */
import { WsgiRequest } from '../wsgi/request.js'
import type { SchemaOutput, StandardSchemaV1 } from '../wsgi/schema.js'
import type { Environ } from '../wsgi/types.js'
import type { UrlArgs } from './url-args.js'

/** The schemas a handler may check its request with, each a Standard Schema (zod, valibot...). */
export interface RouteSchemas {
  /** The URL arguments, once the rule's converters made them. */
  readonly urlargs?: StandardSchemaV1<unknown, UrlArgs>
  /** The query: an object where a key given once is a string, given more often an array of strings. */
  readonly query?: StandardSchemaV1
  /** The JSON body, as `request.json()` parses it. */
  readonly json?: StandardSchemaV1
  /** An urlencoded or multipart form body, as an object like the query's (files under their field's name). */
  readonly form?: StandardSchemaV1
}

/** A handler without schemas. */
export type NoSchemas = Record<never, never>

/** What a schema checks: `'urlargs'`, `'query'`, `'json'` or `'form'`. */
export type SchemaTarget = keyof RouteSchemas

/** The output of the schema of `K` in `S`, else `Default`. */
export type ValidOf<S, K extends SchemaTarget, Default> = S extends {
  readonly [P in K]: infer X extends StandardSchemaV1
}
  ? SchemaOutput<X>
  : Default

/**
 * The request of a route whose rule gives the URL arguments `A` and whose
 * handler declares the schemas `S` (none by default).
 */
export type RouteRequest<
  A extends UrlArgs = UrlArgs,
  S extends RouteSchemas = NoSchemas,
> = TypedRequest<A, S> &
  (NoSchemas extends S
    ? unknown
    : { valid<K extends keyof S & SchemaTarget>(target: K): ValidOf<S, K, never> })

/** The members of a route's request that its rule and schemas type. */
export interface TypedRequest<A extends UrlArgs, S extends RouteSchemas> extends WsgiRequest {
  /** The URL arguments: typed from the rule, or the output of the `urlargs` schema. */
  urlargs: ValidOf<S, 'urlargs', A>
  /** The JSON body: the output of the `json` schema when there is one. */
  json(): Promise<ValidOf<S, 'json', unknown>>
}

/** A route handler: gets the request, returns a response, a body or a plain value (sync or async). */
export type RouteHandler<A extends UrlArgs = UrlArgs> = (request: RouteRequest<A>) => unknown

/** The request a handler with schemas gets: the checked values, as `valid()` and `json()` give them. */
export class ValidatedRequest extends WsgiRequest {
  readonly #values: ReadonlyMap<SchemaTarget, unknown>

  constructor(environ: Environ, urlargs: UrlArgs, values: ReadonlyMap<SchemaTarget, unknown>) {
    super(environ, urlargs)
    this.#values = values
  }

  /** The body as its `json` schema gave it, else parsed as any request's. */
  override json(): Promise<unknown> {
    return this.#values.has('json') ? Promise.resolve(this.#values.get('json')) : super.json()
  }

  /** The output of the handler's schema for `target`; one that checked nothing throws a `TypeError`. */
  valid(target: SchemaTarget): unknown {
    if (!this.#values.has(target))
      throw new TypeError(`No ${JSON.stringify(target)} schema checked this request`)
    return this.#values.get(target)
  }
}

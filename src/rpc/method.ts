/**
 * Methods that declare their params: `rpcMethod({ params: [z.number(),
 * z.number()], handle: (request, a, b) => a + b })`, one Standard Schema
 * per parameter (zod, valibot, arktype...). Params a schema refuses are
 * -32602 with the schema's issues in `error.data`; the method's parameter
 * types, and its client's, come from the schemas.
 * @module
 */
import { isThenable } from '../wsgi/callable.js'
import type { WsgiRequest } from '../wsgi/request.js'
import {
  type SchemaInput,
  type SchemaIssue,
  type SchemaOutput,
  type StandardSchemaResult,
  type StandardSchemaV1,
  isStandardSchema,
  plainIssues,
} from '../wsgi/schema.js'
import { InvalidParams } from './errors.js'
import type { Signature } from './signature.js'

/** The schemas of a method's parameters, in order. */
export type ParamSchemas = readonly StandardSchemaV1[]

/** The values the schemas give, as the method receives them. */
export type ParamOutputs<S extends ParamSchemas> = {
  -readonly [K in keyof S]: SchemaOutput<S[K]>
}

/** The values the schemas accept, as a client sends them; trailing params that accept `undefined` are optional. */
export type ParamInputs<S extends ParamSchemas> = OptionalTail<{
  -readonly [K in keyof S]: SchemaInput<S[K]>
}>

type OptionalTail<T extends unknown[]> = T extends [...infer Head, infer Last]
  ? undefined extends Last
    ? [...OptionalTail<Head>, Last?]
    : T
  : T

/** A method with the schemas of its params and, for discovery, of its result. */
export interface RpcMethodSpec<S extends ParamSchemas = ParamSchemas, R = unknown> {
  /** One schema per parameter after the request. */
  readonly params: S
  /** The schema of the result: documentation for `rpc.discover`; results are not checked. */
  readonly result?: StandardSchemaV1 | undefined
  /** The method's documentation. */
  readonly doc?: string | undefined
  /** The method: the request, then the params as the schemas output them. */
  handle(request: WsgiRequest, ...params: ParamOutputs<S>): R
}

/**
 * A method whose params are checked, each by its schema, before it runs;
 * its parameters are typed from the schemas. Put it in a `methods` map or
 * on a class as `rpc_<name> = rpcMethod({ ... })`.
 */
export function rpcMethod<const S extends ParamSchemas, R>(
  spec: RpcMethodSpec<S, R>,
): RpcMethodSpec<S, R> {
  checkParamSchemas('rpcMethod', spec)
  return spec
}

/** Whether a method in a map or on a class declares schemas. */
export function isMethodSpec(method: object): method is RpcMethodSpec {
  return 'params' in method && method.params !== undefined
}

/** Throws a `TypeError` unless the params (and the result, if any) of a spec are Standard Schemas. */
export function checkParamSchemas(name: string, spec: RpcMethodSpec): void {
  if (!Array.isArray(spec.params) || !spec.params.every(isStandardSchema))
    throw new TypeError(`The params of ${name} are an array of Standard Schemas (zod, valibot...)`)
  if (spec.result !== undefined && !isStandardSchema(spec.result))
    throw new TypeError(`The result of ${name} is not a Standard Schema`)
  if (typeof spec.handle !== 'function') throw new TypeError(`${name} has no handle() function`)
}

/**
 * What a method with schemas declares: the names of its `handle`'s
 * parameters, one per schema; none required, since the schemas decide
 * what may be missing; named params passed whole to a destructuring pattern.
 */
export function specSignature(handle: Signature, schemas: ParamSchemas): Signature {
  const names = schemas.map((_, index) => handle.names[index] ?? '')
  const pattern = handle.pattern && schemas.length === 1
  return { names, required: 0, rest: false, pattern, unknown: false }
}

/** A method ready to be called: the function, what `this` is, and what it declares. */
export interface MethodEntry {
  /** The full, dotted name (`calc.add`). */
  readonly name: string
  readonly fn: (request: WsgiRequest, ...params: never[]) => unknown
  readonly thisArg: unknown
  readonly signature: Signature
  readonly doc: string
  /** The schemas of its params, when it declares them. */
  readonly params?: ParamSchemas | undefined
  /** The schema of its result, when it declares one (for discovery). */
  readonly result?: StandardSchemaV1 | undefined
}

type Result = StandardSchemaResult<unknown>

/**
 * Calls a method with schemas once its params are checked: its result, or a
 * promise of it when a schema is asynchronous. Refused params throw (or
 * reject with) InvalidParams, whose data holds the issues; a path starts
 * with the param's index, or its name when the params were named.
 */
export function callChecked(
  entry: MethodEntry,
  schemas: ParamSchemas,
  request: WsgiRequest,
  args: readonly unknown[],
  named: boolean,
): unknown {
  // the common case allocates nothing but the arguments: every schema valid, synchronously
  const values: unknown[] = [request]
  for (let i = 0; i < schemas.length; i++) {
    const result = schemas[i]!['~standard'].validate(args[i])
    if (isThenable(result) || result.issues !== undefined) {
      const results: (Result | Promise<Result>)[] = values.slice(1).map((value) => ({ value }))
      results.push(result)
      for (let j = i + 1; j < schemas.length; j++)
        results.push(schemas[j]!['~standard'].validate(args[j]))
      if (!results.some(isThenable)) return callWith(entry, request, results as Result[], named)
      return Promise.all(results.map(async (pending) => pending)).then((done) =>
        callWith(entry, request, done, named),
      )
    }
    values.push(result.value)
  }
  return entry.fn.apply(entry.thisArg, values as never)
}

/** Calls the method with the values of the results, or throws InvalidParams with their issues. */
function callWith(
  entry: MethodEntry,
  request: WsgiRequest,
  results: readonly Result[],
  named: boolean,
): unknown {
  const values: unknown[] = [request]
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!
    if (result.issues !== undefined) throw invalidParams(entry.signature, results, named)
    values.push(result.value)
  }
  return entry.fn.apply(entry.thisArg, values as never)
}

function invalidParams(
  signature: Signature,
  results: readonly Result[],
  named: boolean,
): InvalidParams {
  const issues: SchemaIssue[] = []
  results.forEach((result, i) => {
    // named params given whole to a destructuring pattern: the path inside is already the name
    const prefix = !named ? [i] : signature.pattern ? [] : [signature.names[i] || i]
    if (result.issues) issues.push(...plainIssues(result.issues, prefix))
  })
  return new InvalidParams(undefined, { issues })
}

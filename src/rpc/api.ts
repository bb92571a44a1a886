/**
 * The client's view of a handler, derived from the handler's type: its
 * `rpc_<name>` methods, its `methods` map and its sub-handlers become
 * methods without the request, their params typed from the signature or the
 * schemas. `JsonProxy<typeof handler>` uses it, so the client's type comes
 * from the server as tRPC's does, with no interface written by hand.
 * @module
 */
import type { JsonRpc, RpcTypes } from './handler.js'
import type { ParamInputs, ParamSchemas } from './method.js'
import type { OpenRpcDocument } from './openrpc.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a handler of any methods
export type AnyJsonRpc = JsonRpc<any>

/** A method as a client calls it: its params after the request, and its result. */
export type ClientMethod<F> = F extends {
  readonly params: infer S extends ParamSchemas
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the result is read
  handle(...args: any): infer R
}
  ? (...params: ParamInputs<S>) => R
  : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request, whatever its type
    F extends (request: any, ...params: infer P) => infer R
    ? (...params: P) => R
    : // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request, whatever its type
      F extends { handle(request: any, ...params: infer P): infer R }
      ? (...params: P) => R
      : never

type ClassMethods<H> = {
  [K in keyof H as K extends `rpc_${infer Name}` ? Name : never]: ClientMethod<H[K]>
}

type MapMethods<M> = { [K in keyof M]: ClientMethod<M[K]> }

type Types<H> = H extends { readonly '~rpc'?: infer T extends RpcTypes<unknown, unknown> }
  ? NonNullable<T>
  : RpcTypes

/** A handler's methods and its sub-handlers', as a client calls them. */
type Methods<H> = ClassMethods<H> &
  MapMethods<Types<H>['methods']> & {
    [P in keyof Types<H>['subHandlers']]: Methods<Types<H>['subHandlers'][P]>
  }

/**
 * The methods of a handler as a client calls them (the request left out),
 * sub-handlers as nested objects, and `rpc.discover`:
 * `RpcApi<Calculator>` has `add(a: number, b: number): number`.
 */
export type RpcApi<H> = Methods<H> & { rpc: { discover(): OpenRpcDocument } }

/** The API of a proxy's type argument: a handler's type is turned into its client's view; anything else is the API as written. */
export type ApiOf<M> = M extends AnyJsonRpc ? RpcApi<M> : M

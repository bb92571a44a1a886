/**
 * Types of JSON-RPC, checked by tsc (`npm run check`): the client's type
 * derived from the server's handler (class methods, a methods map,
 * sub-handlers, schemas), batches included, and calls that must not compile.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call -- the uses that must not compile have error types */
import * as v from 'valibot'
import { expectTypeOf } from 'vitest'
import * as z from 'zod'

import type { WsgiRequest } from 'pulsar-ts'
import {
  type FunctionInfo,
  JsonBatchProxy,
  JsonProxy,
  JsonRpc,
  type OpenRpcDocument,
  type RpcApi,
  type RpcServerInfo,
  rpcMethod,
} from 'pulsar-ts/rpc'

import type { CalculatorService } from '../../examples/calculator.js'

const url = 'http://127.0.0.1:8060/'

// the calculator: no interface written by hand, the client's type comes from the server
const proxy = new JsonProxy<CalculatorService>(url)
expectTypeOf(proxy.calc.add(3, 4)).toEqualTypeOf<Promise<number>>()
expectTypeOf(proxy.calc.divide).parameters.toEqualTypeOf<[number, number]>()
expectTypeOf(proxy.ping()).toEqualTypeOf<Promise<string>>()
expectTypeOf(proxy.server_info()).toEqualTypeOf<Promise<RpcServerInfo>>()
expectTypeOf(proxy.functions_list()).toEqualTypeOf<Promise<FunctionInfo[]>>()
expectTypeOf(proxy.check_request()).toEqualTypeOf<Promise<boolean>>()
expectTypeOf(proxy.calc.randompaths({ size: 5 })).toEqualTypeOf<Promise<number[][]>>()
expectTypeOf(proxy.calc.randompaths()).toEqualTypeOf<Promise<number[][]>>()
expectTypeOf(proxy.rpc.discover()).toEqualTypeOf<Promise<OpenRpcDocument>>()
expectTypeOf(proxy.$call('calc.add', [1, 2])).toEqualTypeOf<Promise<unknown>>()
// @ts-expect-error -- the schema says numbers
void proxy.calc.add('3', 4)
// @ts-expect-error -- two params, not three
void proxy.calc.add(1, 2, 3)
// @ts-expect-error -- sizes are numbers
void proxy.calc.randompaths({ size: 'big' })
// @ts-expect-error -- no such method
void proxy.calc.modulo(1, 2)
// @ts-expect-error -- rpc.discover belongs to the root only
void proxy.calc.rpc.discover()

// batches: each call queues and returns its id, its params typed the same
const batch = new JsonBatchProxy<CalculatorService>(url)
expectTypeOf(batch.calc.multiply(6, 7)).toEqualTypeOf<string | number>()
// @ts-expect-error -- the schema says numbers
batch.calc.multiply('6', 7)

// a methods map, plain functions and rpcMethod() alike, and a sub-handler
const Name = v.pipe(v.string(), v.minLength(1))
export const service = new JsonRpc({
  methods: {
    add: (_request, a: number, b: number) => a + b,
    fetched: async (request) => request.path,
    counted: { doc: 'Counts.', handle: (_request: WsgiRequest, step: number = 1) => step },
    greet: rpcMethod({
      params: [Name, z.number().int().optional()],
      handle: (_request, name, times) => {
        expectTypeOf(name).toEqualTypeOf<string>()
        expectTypeOf(times).toEqualTypeOf<number | undefined>()
        return `hello ${name}`.repeat(times ?? 1)
      },
    }),
  },
}).putSubHandler('inner', new JsonRpc({ methods: { half: (_request, n: number) => n / 2 } }))
const client = new JsonProxy<typeof service>(url)
expectTypeOf(client.add).toEqualTypeOf<(a: number, b: number) => Promise<number>>()
expectTypeOf(client.fetched()).toEqualTypeOf<Promise<string>>()
expectTypeOf(client.counted).parameters.toEqualTypeOf<[step?: number]>()
expectTypeOf(client.greet('ada')).toEqualTypeOf<Promise<string>>()
expectTypeOf(client.greet('ada', 2)).toEqualTypeOf<Promise<string>>()
expectTypeOf(client.inner.half(3)).toEqualTypeOf<Promise<number>>()
// @ts-expect-error -- greet takes a name first
void client.greet(2)
// @ts-expect-error -- half takes a number
void client.inner.half('3')
// the API alone, without the proxy's own members
expectTypeOf<RpcApi<typeof service>['inner']['half']>().toEqualTypeOf<(n: number) => number>()

// schemas type the method's own params: a wrong use in the method does not compile
export class Typed extends JsonRpc {
  rpc_twice = rpcMethod({
    params: [z.string()],
    // @ts-expect-error -- the param is a string
    handle: (_request, text) => text * 2,
  })
}

// an interface written by hand still types a proxy
interface Api {
  ping(): string
  calc: { add(a: number, b: number): number }
}
const manual = new JsonProxy<Api>(url)
expectTypeOf(manual.calc.add(1, 2)).toEqualTypeOf<Promise<number>>()
// untyped, any name goes
expectTypeOf(new JsonProxy(url).anything.goes()).toBeAny()

/**
 * pulsar's calculator: a JSON-RPC service with pulsar's server commands at
 * the root (`ping`, `echo`, `server_info`, `functions_list`,
 * `documentation`) and a `calc` sub-handler, answering POSTs on `/`, with
 * gzip for replies of 200 bytes or more.
 *
 *     npx tsx examples/calculator.ts --bind :8060
 *     npx tsx examples/calculator-client.ts http://127.0.0.1:8060/
 */
import { fileURLToPath } from 'node:url'

import {
  GZipMiddleware,
  type ServerOptions,
  WSGIServer,
  WsgiHandler,
  type WsgiRequest,
} from 'pulsar-ts'
import {
  type FunctionInfo,
  InvalidParams,
  JsonRpc,
  PulsarServerCommands,
  type RpcServerInfo,
} from 'pulsar-ts/rpc'

function numbers(a: unknown, b: unknown): [number, number] {
  // a plain error, as pulsar's calculator gets from Python: the client sees -32603
  if (typeof a !== 'number' || typeof b !== 'number')
    throw new TypeError(`Cannot compute with ${typeof a} and ${typeof b}`)
  return [a, b]
}

/** One draw of a standard normal variable (Box-Muller). */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random())
}

/** The calculator's methods as a client sees them (the request left out), for typed proxies. */
export interface CalculatorApi {
  ping(): string
  echo(message?: unknown): unknown
  server_info(): RpcServerInfo
  functions_list(): FunctionInfo[]
  documentation(): string
  check_request(): boolean
  calc: {
    add(a: unknown, b: unknown): number
    subtract(a: unknown, b: unknown): number
    multiply(a: unknown, b: unknown): number
    divide(a: unknown, b: unknown): number
    randompaths(params: {
      num_paths?: number
      size?: number
      mu?: number
      sigma?: number
    }): number[][]
  }
}

/** The `calc` sub-handler. */
export class Calculator extends JsonRpc {
  static override docs = {
    add: 'Adds two numbers.',
    subtract: 'Subtracts the second number from the first.',
    multiply: 'Multiplies two numbers.',
    divide: 'Divides the first number by the second.',
    randompaths: 'Random walks: num_paths paths of size steps, with drift mu and volatility sigma.',
  }

  rpc_add(_request: WsgiRequest, a: unknown, b: unknown): number {
    const [x, y] = numbers(a, b)
    return x + y
  }

  rpc_subtract(_request: WsgiRequest, a: unknown, b: unknown): number {
    const [x, y] = numbers(a, b)
    return x - y
  }

  rpc_multiply(_request: WsgiRequest, a: unknown, b: unknown): number {
    const [x, y] = numbers(a, b)
    return x * y
  }

  rpc_divide(_request: WsgiRequest, a: unknown, b: unknown): number {
    const [x, y] = numbers(a, b)
    if (y === 0) throw new RangeError('Division by zero')
    return x / y
  }

  rpc_randompaths(
    _request: WsgiRequest,
    { num_paths = 10, size = 100, mu = 0, sigma = 1 }: Record<string, number> = {},
  ): number[][] {
    if (!(num_paths >= 1 && num_paths <= 1000 && size >= 1 && size <= 10_000))
      throw new InvalidParams('num_paths must be 1 to 1000 and size 1 to 10000')
    return Array.from({ length: num_paths }, () => {
      let value = 0
      return Array.from({ length: size }, () => (value += mu + sigma * normal()))
    })
  }
}

/** The root: pulsar's server commands, `check_request`, and `calc`. */
export class Root extends PulsarServerCommands {
  rpc_check_request = {
    doc: 'Whether the body of the HTTP request is the call of this method.',
    async handle(request: WsgiRequest): Promise<boolean> {
      const body = (await request.json()) as { method?: unknown }
      return body.method === 'check_request'
    },
  }
}

/** The calculator's JSON-RPC handler tree. */
export function calculator(): Root {
  return new Root({ path: '/' }).putSubHandler('calc', new Calculator())
}

/** The calculator's application: the handler tree as middleware, gzip as response middleware. */
export function app(): WsgiHandler {
  return new WsgiHandler([calculator()], [new GZipMiddleware(200)])
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}): WSGIServer {
  return new WSGIServer(app(), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()

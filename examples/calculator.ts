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

import * as z from 'zod'

import {
  GZipMiddleware,
  type ServerOptions,
  WSGIServer,
  WsgiHandler,
  type WsgiRequest,
} from 'pulsar-ts'
import { JsonRpc, PulsarServerCommands, rpcMethod } from 'pulsar-ts/rpc'

/** One draw of a standard normal variable (Box-Muller). */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random())
}

// params that are not two numbers are -32602, with the schema's issues in error.data
const operands = [z.number(), z.number()] as const
const Paths = z
  .object({
    num_paths: z.number().int().min(1).max(1000).default(10),
    size: z.number().int().min(1).max(10_000).default(100),
    mu: z.number().default(0),
    sigma: z.number().default(1),
  })
  .prefault({})

/** The `calc` sub-handler: each method's params (and its client's) typed from its schemas. */
export class Calculator extends JsonRpc {
  rpc_add = rpcMethod({
    doc: 'Adds two numbers.',
    params: operands,
    result: z.number(),
    handle: (_request, a, b) => a + b,
  })

  rpc_subtract = rpcMethod({
    doc: 'Subtracts the second number from the first.',
    params: operands,
    result: z.number(),
    handle: (_request, a, b) => a - b,
  })

  rpc_multiply = rpcMethod({
    doc: 'Multiplies two numbers.',
    params: operands,
    result: z.number(),
    handle: (_request, a, b) => a * b,
  })

  rpc_divide = rpcMethod({
    doc: 'Divides the first number by the second.',
    params: operands,
    result: z.number(),
    handle: (_request, a, b) => {
      // a plain error, as pulsar's calculator gets from Python: the client sees -32603
      if (b === 0) throw new RangeError('Division by zero')
      return a / b
    },
  })

  rpc_randompaths = rpcMethod({
    doc: 'Random walks: num_paths paths of size steps, with drift mu and volatility sigma.',
    params: [Paths],
    result: z.array(z.array(z.number())),
    handle: (_request, { num_paths, size, mu, sigma }) =>
      Array.from({ length: num_paths }, () => {
        let value = 0
        return Array.from({ length: size }, () => (value += mu + sigma * normal()))
      }),
  })
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
export function calculator() {
  return new Root({ path: '/', version: '1.0.0' }).putSubHandler('calc', new Calculator())
}

/** The service's type, for its clients: `new JsonProxy<CalculatorService>(url)`. */
export type CalculatorService = ReturnType<typeof calculator>

/** The calculator's application: the handler tree as middleware, gzip as response middleware. */
export function app(): WsgiHandler {
  return new WsgiHandler([calculator()], [new GZipMiddleware(200)])
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}): WSGIServer {
  return new WSGIServer(app(), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()

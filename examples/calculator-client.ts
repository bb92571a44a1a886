/**
 * A client of the calculator example: a few calls, named params, an error,
 * and a batch.
 *
 *     npx tsx examples/calculator-client.ts [URL]    # default http://127.0.0.1:8060/
 */
import { JsonBatchProxy, JsonProxy, RpcError } from 'pulsar-ts/rpc'

// the server's type, erased at run time: the client's methods and params come from it
import type { CalculatorService } from './calculator.js'

const url = process.argv[2] ?? 'http://127.0.0.1:8060/'
const proxy = new JsonProxy<CalculatorService>(url, { timeout: 5000 })

console.log('ping ->', await proxy.ping())
console.log('calc.add(3, 4) ->', await proxy.calc.add(3, 4))
console.log('calc.divide(1, 8) ->', await proxy.calc.divide(1, 8))
const paths = await proxy.calc.randompaths({ num_paths: 3, size: 5, sigma: 0.5 })
console.log(
  'calc.randompaths({ num_paths: 3, size: 5 }) ->',
  paths.length,
  'paths of',
  paths[0]?.length,
)
try {
  // more params than calc.add declares: the server answers -32602
  await proxy.$call('calc.add', [1, 2, 3])
} catch (error) {
  if (!(error instanceof RpcError)) throw error
  console.log('calc.add(1, 2, 3) ->', error.name, error.code, error.data)
}

try {
  // strings are no numbers: the server answers -32602, the issues in error.data
  await proxy.$call('calc.divide', ['ciao', 'bo'])
} catch (error) {
  if (!(error instanceof RpcError)) throw error
  console.log("calc.divide('ciao', 'bo') ->", error.name, error.code, JSON.stringify(error.data))
}

const batch = new JsonBatchProxy<CalculatorService>(url)
batch.calc.multiply(6, 7)
batch.echo('hello')
batch.calc.divide(1, 0)
for (const { id, result, error } of await batch.$send())
  console.log(`batch #${id} ->`, error ? `${error.name} ${error.code}` : result)

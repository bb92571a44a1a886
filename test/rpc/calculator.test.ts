/** pulsar's calculator tests (examples/calculator/tests.py), against examples/calculator.ts on a real socket. */
import { describe, expect, it } from 'vitest'

import {
  InternalError,
  InvalidParams,
  JsonBatchProxy,
  JsonProxy,
  NoSuchFunction,
} from 'pulsar-ts/rpc'

import {
  Calculator,
  type CalculatorService,
  Root,
  app,
  calculator,
} from '../../examples/calculator.js'
import { transports } from '../helpers/transports.js'

describe.each(transports)('the calculator example over $name', (t) => {
  async function proxy() {
    const { url } = await t.serve(app())
    return new JsonProxy<CalculatorService>(url, { fetch: t.fetch as typeof fetch })
  }

  describe('the calculator', () => {
    it('has a root with pulsar commands and one calc sub-handler', () => {
      const root = calculator()
      expect(root).toBeInstanceOf(Root)
      expect(root.isRoot()).toBe(true)
      expect([...root.subHandlers.keys()]).toEqual(['calc'])
      const calc = root.getSubHandler('calc')!
      expect(calc).toBeInstanceOf(Calculator)
      expect(calc.isRoot()).toBe(false)
      expect(calc.parent).toBe(root)
      expect(calc.root).toBe(root)
    })

    it('answers ping with pong, and echo', async () => {
      const rpc = await proxy()
      expect(await rpc.ping()).toBe('pong')
      expect(await rpc.echo('hello')).toBe('hello')
      expect(await rpc.echo()).toBe('')
    })

    it('lists its functions, sub-handlers included', async () => {
      const names = (await (await proxy()).functions_list()).map(({ name }) => name)
      expect(names).toEqual(
        expect.arrayContaining(['ping', 'echo', 'functions_list', 'calc.add', 'calc.divide']),
      )
    })

    it('serves its documentation, the same as docs()', async () => {
      expect(await (await proxy()).documentation()).toBe(calculator().docs())
      expect(calculator().docs()).toContain('## calc.add(a, b)\n\nAdds two numbers.')
    })

    it('lets a method read the parsed body (check_request)', async () => {
      expect(await (await proxy()).check_request()).toBe(true)
    })

    it('computes', async () => {
      const { calc } = await proxy()
      expect(await calc.add(3, 4)).toBe(7)
      expect(await calc.add(3.5, -4)).toBe(-0.5)
      expect(await calc.subtract(3, 4)).toBe(-1)
      expect(await calc.multiply(3, 4)).toBe(12)
      expect(await calc.divide(3, 4)).toBe(0.75)
    })

    it('takes named params, their defaults from the schema: randompaths', async () => {
      const [path, ...others] = await (await proxy()).calc.randompaths({ num_paths: 1 })
      expect(others).toEqual([])
      expect(path).toHaveLength(100)
      expect(await (await proxy()).calc.randompaths()).toHaveLength(10)
    })

    it('takes named params: randompaths with all four', async () => {
      const paths = await (
        await proxy()
      ).calc.randompaths({ num_paths: 20, size: 100, mu: 1, sigma: 2 })
      expect(paths).toHaveLength(20)
      for (const path of paths) {
        expect(path).toHaveLength(100)
        expect(path.every(Number.isFinite)).toBe(true)
      }
    })

    it('raises InvalidParams for too many params', async () => {
      const rpc = await proxy()
      await expect(rpc.$call('calc.add', [1, 2, 3])).rejects.toBeInstanceOf(InvalidParams)
      await expect(rpc.$call('ping', ['wrong param'])).rejects.toBeInstanceOf(InvalidParams)
      await expect(rpc.$call('calc.divide', [1, 2, 3])).rejects.toBeInstanceOf(InvalidParams)
    })

    it('raises NoSuchFunction for unknown names, nested ones included', async () => {
      const rpc = await proxy()
      for (const name of ['blabla', 'calc.blabla', 'foo.bla.blabla', 'calc.add.more', 'calc'])
        await expect(rpc.$call(name)).rejects.toBeInstanceOf(NoSuchFunction)
    })

    it('raises InvalidParams with the issues for bad operands, a compile error too', async () => {
      const { calc } = await proxy()
      // @ts-expect-error -- the client's params are typed from the server's schemas
      const refused = calc.divide('ciao', 'bo')
      const error = await refused.then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(error).toBeInstanceOf(InvalidParams)
      expect((error as InvalidParams).data).toEqual({
        issues: [
          { message: expect.stringContaining('number'), path: [0] },
          { message: expect.stringContaining('number'), path: [1] },
        ],
      })
      // named params: the issues name them
      await expect(calc.randompaths({ num_paths: 0 })).rejects.toMatchObject({
        data: { issues: [{ path: ['num_paths'] }] },
      })
    })

    it('raises InternalError for a division by zero', async () => {
      const { calc } = await proxy()
      await expect(calc.divide(1, 0)).rejects.toBeInstanceOf(InternalError)
    })

    it('gives server and worker facts, no process control', async () => {
      const rpc = await proxy()
      const info = await rpc.server_info()
      expect(info.server.software).toMatch(/^pulsar-ts\//)
      expect(info.worker.pid).toBe(process.pid)
      expect(info.server.url).toMatch(new RegExp(`^${t.scheme}://127\\.0\\.0\\.1:\\d+$`))
      expect(info.worker.requests).toBeGreaterThanOrEqual(1)
      expect(info.worker.connections).toBeGreaterThanOrEqual(1)
      await expect(rpc.$call('kill_actor', ['x'])).rejects.toBeInstanceOf(NoSuchFunction)
    })

    it('gzips the replies that are long enough, for clients that accept it', async () => {
      const { url } = await t.serve(app())
      const post = (body: string, encoding?: string) =>
        t.fetch(url, {
          method: 'POST',
          body,
          headers: {
            'Content-Type': 'application/json',
            ...(encoding ? { 'Accept-Encoding': encoding } : {}),
          },
        })
      const long = '{"jsonrpc":"2.0","method":"documentation","id":1}'
      const zipped = await post(long, 'gzip')
      expect(zipped.headers.get('content-encoding')).toBe('gzip')
      expect(zipped.headers.get('vary')).toBe('Accept-Encoding')
      expect(((await zipped.json()) as { result: string }).result).toContain('# Root')
      const refused = await post(long, 'gzip;q=0, identity')
      expect(refused.headers.get('content-encoding')).toBeNull()
      const short = await post('{"jsonrpc":"2.0","method":"ping","id":1}', 'gzip')
      expect(short.headers.get('content-encoding')).toBeNull()
      expect(await short.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 'pong' })
    })
  })

  describe('the calculator in batches', () => {
    async function batch() {
      const { url } = await t.serve(app())
      return new JsonBatchProxy<CalculatorService>(url, { fetch: t.fetch as typeof fetch })
    }

    it('answers a batch of one', async () => {
      const rpc = await batch()
      const id = rpc.ping()
      expect(await rpc.$send()).toEqual([{ id, result: 'pong' }])
    })

    it('answers two calls, matched by id', async () => {
      const rpc = await batch()
      const first = rpc.calc.add(1, 2)
      const second = rpc.echo('two')
      expect(await rpc.$send()).toEqual([
        { id: first, result: 3 },
        { id: second, result: 'two' },
      ])
    })

    it('keeps an error inside a batch to its call', async () => {
      const rpc = await batch()
      const ping = rpc.$call('ping', ['wrong param'])
      const add = rpc.calc.add(4, 5)
      const [failed, added] = await rpc.$send()
      expect(failed!.id).toBe(ping)
      expect(failed!.error).toBeInstanceOf(InvalidParams)
      expect(failed!.result).toBeUndefined()
      expect(added).toEqual({ id: add, result: 9 })
    })
  })
})

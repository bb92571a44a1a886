/** JsonRpc handlers: where methods come from, sub-handlers, introspection, and what a signature declares. */
import { describe, expect, it } from 'vitest'

import { type WsgiRequest, testWsgiEnviron, WsgiRequest as Request } from 'pulsar-ts'
import { JsonRpc, PulsarServerCommands } from 'pulsar-ts/rpc'

import { signatureOf } from '../../src/rpc/signature.js'

const request = () => new Request(testWsgiEnviron({ method: 'POST' }))

async function ask(rpc: JsonRpc, method: string, params?: unknown): Promise<unknown> {
  const reply = await rpc.receive(
    JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
    request(),
  )
  return JSON.parse(reply!) as unknown
}

class Base extends JsonRpc {
  static override docs: Readonly<Record<string, string>> = {
    hello: 'Says hello.',
    shared: 'From the base.',
  }
  rpc_hello(_request: WsgiRequest, name = 'world') {
    return `hello ${name}`
  }
  rpc_shared(_request: WsgiRequest) {
    return 'base'
  }
  helper() {
    return 'not a method'
  }
}

class Derived extends Base {
  static override docs = { shared: 'From the derived class.' }
  override rpc_shared(_request: WsgiRequest) {
    return `derived, not ${super.rpc_shared(_request)}`
  }
  rpc_self(this: Derived, _request: WsgiRequest) {
    return this.helper()
  }
  rpc_request(_request: WsgiRequest) {
    return [_request instanceof Request, _request.method]
  }
}

describe('methods', () => {
  it('are the rpc_ methods of a class and its bases, the most derived winning', async () => {
    const rpc = new Derived()
    expect(await ask(rpc, 'hello', ['you'])).toMatchObject({ result: 'hello you' })
    expect(await ask(rpc, 'shared')).toMatchObject({ result: 'derived, not base' })
    expect(await ask(rpc, 'self')).toMatchObject({ result: 'not a method' })
    expect(await ask(rpc, 'helper')).toMatchObject({ error: { code: -32601 } })
  })

  it('get the WsgiRequest first', async () => {
    expect(await ask(new Derived(), 'request')).toMatchObject({ result: [true, 'POST'] })
  })

  it('come from a plain map: functions, or objects with a handle method and a doc', async () => {
    const counter = {
      count: 0,
      doc: 'Counts the calls.',
      handle(this: { count: number }, _request: WsgiRequest, step = 1) {
        return (this.count += step)
      },
    }
    const rpc = new JsonRpc({
      methods: { double: (_request, n: number) => n * 2, counter },
    })
    expect(await ask(rpc, 'double', [21])).toMatchObject({ result: 42 })
    expect(await ask(rpc, 'counter', { step: 5 })).toMatchObject({ result: 5 })
    expect(await ask(rpc, 'counter')).toMatchObject({ result: 6 })
    expect(rpc.listFunctions()).toEqual([
      { name: 'double', doc: '', params: ['n'] },
      { name: 'counter', doc: 'Counts the calls.', params: ['step'] },
    ])
  })

  it('refuses names with dots or spaces, and methods that are not functions', () => {
    expect(() => new JsonRpc({ methods: { 'a.b': () => 1 } })).toThrow(TypeError)
    expect(() => new JsonRpc({ methods: { 'a b': () => 1 } })).toThrow(TypeError)
    const broken = new JsonRpc({ methods: { x: { handle: 5 } as never } })
    expect(() => broken.listFunctions()).toThrow(TypeError)
  })
})

describe('sub-handlers', () => {
  it('serve dotted names, to any depth', async () => {
    const leaf = new JsonRpc({ methods: { name: (_request) => 'leaf' } })
    const root = new JsonRpc().putSubHandler(
      'a',
      new JsonRpc().putSubHandler('b', new JsonRpc().putSubHandler('c', leaf)),
    )
    expect(await ask(root, 'a.b.c.name')).toMatchObject({ result: 'leaf' })
    expect(await ask(root, 'a.b.name')).toMatchObject({ error: { code: -32601 } })
    expect(leaf.root).toBe(root)
    expect(root.getSubHandler('a')!.getSubHandler('b')!.parent).toBe(root.getSubHandler('a'))
  })

  it('can be added after the first call', async () => {
    const root = new JsonRpc({ methods: { ping: (_request) => 'pong' } })
    const sub = new JsonRpc()
    root.putSubHandler('sub', sub)
    expect(await ask(root, 'ping')).toMatchObject({ result: 'pong' })
    sub.putSubHandler('deep', new JsonRpc({ methods: { late: (_request) => 'late' } }))
    expect(await ask(root, 'sub.deep.late')).toMatchObject({ result: 'late' })
  })

  it('refuses the reserved rpc prefix, bad prefixes and cycles', () => {
    const root = new JsonRpc()
    expect(() => root.putSubHandler('rpc', new JsonRpc())).toThrow(/reserved/)
    expect(() => root.putSubHandler('a.b', new JsonRpc())).toThrow(TypeError)
    expect(() => root.putSubHandler('self', root)).toThrow(/own sub-handler/)
    const child = new JsonRpc()
    root.putSubHandler('child', child)
    expect(() => child.putSubHandler('up', root)).toThrow(/own sub-handler/)
  })
})

describe('introspection', () => {
  it('lists every method with its doc and params, recursively; docs() renders them', () => {
    const root = new PulsarServerCommands({ title: 'Service' }).putSubHandler('d', new Derived())
    const list = root.listFunctions()
    expect(list.map(({ name }) => name)).toEqual([
      'ping',
      'echo',
      'server_info',
      'functions_list',
      'documentation',
      'd.shared',
      'd.self',
      'd.request',
      'd.hello',
    ])
    expect(list.find(({ name }) => name === 'd.shared')!.doc).toBe('From the derived class.')
    expect(list.find(({ name }) => name === 'd.hello')).toEqual({
      name: 'd.hello',
      doc: 'Says hello.',
      params: ['name'],
    })
    const docs = root.docs()
    expect(docs.startsWith('# Service\n')).toBe(true)
    expect(docs).toContain('## d.hello(name)\n\nSays hello.')
    expect(docs).toContain('## d.self()\n\nNot documented.')
  })
})

describe('signatures', () => {
  const sig = (fn: (...args: never[]) => unknown) => {
    const { names, required, rest, pattern, unknown } = signatureOf(fn)
    return { names, required, rest, pattern, unknown }
  }

  type Case = [string, (...args: never[]) => unknown, string[], number, boolean]
  it.each<Case>([
    ['an arrow', (_r: unknown, a: number, b: number) => a + b, ['a', 'b'], 2, false],
    [
      'defaults',
      (_r: unknown, a: number, b = 2, c = '(,)') => a + b + c,
      ['a', 'b', 'c'],
      1,
      false,
    ],
    ['a rest parameter', (_r: unknown, ...values: number[]) => values, ['values'], 0, true],
    ['no params', (_r: unknown) => 1, [], 0, false],
    ['a bare arrow', (r: unknown) => r, [], 0, false],
    [
      'a nested default',
      (_r: unknown, a = { x: [1, 2], y: (n: number) => n }, b = `a,${'b'}`) => [a, b],
      ['a', 'b'],
      0,
      false,
    ],
    [
      'a function expression',
      function named(_r: unknown, /* a, comment */ a: number) {
        return a
      },
      ['a'],
      1,
      false,
    ],
  ])('reads %s', (_name, fn, names, required, rest) => {
    expect(sig(fn)).toMatchObject({ names, required, rest, unknown: false })
  })

  it('reads class methods, async ones and one destructuring pattern', () => {
    class C {
      async method(_r: unknown, a: number, b?: number) {
        return Promise.resolve(a + (b ?? 0))
      }
      pattern(_r: unknown, { a = 1, b = 2 } = {}) {
        return a + b
      }
    }
    const method = (name: string) =>
      Object.getOwnPropertyDescriptor(C.prototype, name)!.value as (...args: never[]) => unknown
    expect(sig(method('method'))).toMatchObject({ names: ['a', 'b'], required: 2 })
    expect(sig(method('pattern'))).toMatchObject({ pattern: true, required: 0 })
  })

  it('gives up on native and bound functions: then nothing is checked', () => {
    expect(sig(Math.max as never).unknown).toBe(true)
    expect(sig(((_r: unknown, a: number) => a).bind(null) as never).unknown).toBe(true)
  })
})

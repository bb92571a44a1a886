/**
 * Requests beyond the 15 examples of section 7 of the JSON-RPC 2.0
 * specification that it (and docs/rpc.md, where it leaves a choice) still
 * decides, as data like those: ids a double cannot hold, results and error
 * data JSON cannot express, and malformed Request objects. Each gets a
 * reply its client can match, in the shape of section 5, or none for a
 * notification. Compared as the spec cases are, and besides, the ids of the
 * reply as text.
 */
import { type SpecCase, invalidRequest } from './spec-cases.js'

/** A request beyond the examples, and the ids its reply must carry as text (any order). */
export interface EdgeCase extends SpecCase {
  ids?: string[]
}

/**
 * What a method returns (or puts in an error's `data`) that JSON cannot
 * express: the reply is -32603, never a `null` in its place.
 */
export const unexpressible: Record<string, () => unknown> = {
  NaN: () => NaN,
  Infinity: () => Infinity,
  '-Infinity': () => -Infinity,
  'a NaN deep inside': () => ({ a: [1, { b: NaN }] }),
  'a boxed NaN': () => [new Number(NaN)],
  'a toJSON giving Infinity': () => ({ toJSON: () => Infinity }),
  'a BigInt': () => 10n,
  'a cycle': () => {
    const a: Record<string, unknown> = {}
    a.self = a
    return a
  },
  'a function': () => () => 1,
  'a symbol': () => Symbol('x'),
  'a getter that throws': () => ({
    get x() {
      throw new Error('getter')
    },
  }),
  'a toJSON that throws': () => ({
    toJSON() {
      throw new Error('toJSON')
    },
  }),
  'a toJSON giving undefined': () => ({ toJSON: () => undefined }),
}

const request = (method: string, rest: string) => `{"jsonrpc":"2.0","method":"${method}",${rest}}`
const result = (id: unknown, value: unknown) => ({ jsonrpc: '2.0', result: value, id })
const error = (id: unknown, code: number, message: string) => ({
  jsonrpc: '2.0',
  error: { code, message },
  id,
})
const invalid = (id: unknown) => error(id, -32600, 'Invalid Request')
const internal = (id: unknown) => error(id, -32603, 'Internal error')
const SUBTRACT = '"params":[42,23]'

/** Ids a double cannot carry exactly: `JSON.parse` rounds them, or makes them Infinity or 0. */
const inexactIds = [
  '12345678901234567890123',
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '1.0000000000000001',
  '1.0',
  '1E2',
]

/** The cases, run over HTTP and over a WebSocket by spec.test.ts. */
export const edgeCases: EdgeCase[] = [
  ...inexactIds.map((id) => ({
    name: `an id of ${id} is answered exactly as sent`,
    request: request('subtract', `${SUBTRACT},"id":${id}`),
    expected: result(Number(id), 19),
    ids: [id],
  })),
  {
    name: 'ids that are one double are told apart in a batch',
    request: `[${['12345678901234567890123', '12345678901234567890124', '1', '1.0', '-0'].map((id) => request('subtract', `${SUBTRACT},"id":${id}`)).join(',')}]`,
    expected: [1.2345678901234568e22, 1.2345678901234568e22, 1, 1, -0].map((id) => result(id, 19)),
    ids: ['-0', '1', '1.0', '12345678901234567890123', '12345678901234567890124'],
  },
  {
    name: 'an id under an escaped key is answered exactly',
    request: request('subtract', `${SUBTRACT},"\\u0069d":12345678901234567890123`),
    expected: result(1.2345678901234568e22, 19),
    ids: ['12345678901234567890123'],
  },
  {
    name: 'of two id members the last is the id (as JSON.parse reads it)',
    request: request('subtract', `${SUBTRACT},"id":1,"id":1e400`),
    expected: result(Infinity, 19),
    ids: ['1e400'],
  },
  {
    name: 'of two id members the last is the id, also when it is a string',
    request: request('subtract', `${SUBTRACT},"id":1e400,"id":"x"`),
    expected: result('x', 19),
    ids: ['"x"'],
  },
  {
    name: 'an id member inside params is not the call id',
    request: request('echo', '"params":[{"id":2.50, "x": [{"id": 7.0}]}] , "id" : 3.0 '),
    expected: result(3, { id: 2.5, x: [{ id: 7 }] }),
    ids: ['3.0'],
  },
  {
    name: 'an invalid request keeps an exact id',
    request: '{"jsonrpc":"1.0","method":"subtract","id":1e400}',
    expected: invalid(Infinity),
    ids: ['1e400'],
  },
  {
    name: 'an unknown method keeps an exact id',
    request: request('nothere', '"id":-0'),
    expected: error(-0, -32601, 'Method not found'),
    ids: ['-0'],
  },
  {
    name: 'a call with an id beyond a double is a call, not a notification',
    request: request('notify_hello', '"params":[7],"id":1e400'),
    expected: result(Infinity, null),
    ids: ['1e400'],
  },
  {
    name: 'a call with id null is answered with id null',
    request: request('subtract', `${SUBTRACT},"id":null`),
    expected: result(null, 19),
    ids: ['null'],
  },
  {
    name: 'a notification with a number beyond a double in its params gets nothing',
    request: request('notify_hello', '"params":[1e400]'),
    expected: null,
  },
  ...Object.keys(unexpressible).flatMap((kind) => [
    {
      name: `a result that is ${kind} is -32603`,
      request: request(
        'unexpressible',
        `"params":[${JSON.stringify(kind)}],"id":12345678901234567890123`,
      ),
      expected: internal(1.2345678901234568e22),
      ids: ['12345678901234567890123'],
    },
    {
      name: `an error whose data is ${kind} is -32603`,
      request: request('unexpressible_data', `"params":[${JSON.stringify(kind)}],"id":"d"`),
      expected: internal('d'),
    },
  ]),
  {
    name: 'a batch: only the entry JSON cannot express becomes -32603',
    request: `[${request('unexpressible', '"params":["NaN"],"id":1')},${request('subtract', `${SUBTRACT},"id":2`)},${request('unexpressible_data', '"params":["a BigInt"],"id":3')},${request('unexpressible', '"params":["NaN"]')}]`,
    expected: [internal(1), result(2, 19), internal(3)],
  },
  {
    name: 'nested undefined and functions follow JSON.stringify',
    request: request('holes', '"id":1'),
    expected: result(1, [null, {}, null]),
  },
  ...[
    ['an object', '{"a":1}'],
    ['an array', '[1]'],
    ['true', 'true'],
    ['false', 'false'],
  ].map(([kind, id]) => ({
    name: `an id that is ${kind} is -32600 with id null`,
    request: request('subtract', `${SUBTRACT},"id":${id}`),
    expected: invalidRequest,
    ids: ['null'],
  })),
  {
    name: 'an id of a wrong type makes no notification: it is answered',
    request: request('notify_hello', '"params":[7],"id":{}'),
    expected: invalidRequest,
  },
  {
    name: 'duplicate ids in a batch are each answered (the client chose them)',
    request: `[${request('subtract', '"params":[42,23],"id":1')},${request('subtract', '"params":[23,42],"id":1')}]`,
    expected: [result(1, 19), result(1, -19)],
  },
  {
    name: 'a batch of more than maxBatch calls is one -32600',
    request: `[${Array.from({ length: 101 }, (_, id) => request('subtract', `${SUBTRACT},"id":${id}`)).join(',')}]`,
    expected: invalidRequest,
  },
  ...['1', 'null', '{}', '["subtract"]', 'true'].map((method) => ({
    name: `a method that is ${method} is -32600, the id kept`,
    request: `{"jsonrpc":"2.0","method":${method},"id":1}`,
    expected: invalid(1),
  })),
  {
    name: 'a missing method is -32600, the id kept',
    request: '{"jsonrpc":"2.0","id":1}',
    expected: invalid(1),
  },
  ...['"bar"', '5', 'null', 'true'].map((params) => ({
    name: `params that are ${params} are -32600 (not a structured value), the id kept`,
    request: request('subtract', `"params":${params},"id":1`),
    expected: invalid(1),
  })),
  {
    name: 'params that are not structured, without an id, are answered: no notification',
    request: request('notify_hello', '"params":"bar"'),
    expected: invalidRequest,
  },
  ...['', ',"jsonrpc":"1.0"', ',"jsonrpc":2.0', ',"jsonrpc":"2.0 "'].map((version) => ({
    name: `a jsonrpc member of ${version || 'nothing'} is -32600, the id kept`,
    request: `{"method":"subtract",${SUBTRACT},"id":1${version}}`,
    expected: invalid(1),
  })),
  {
    name: 'a request that carries a result is -32600, the id kept',
    request: request('subtract', `${SUBTRACT},"result":19,"id":1`),
    expected: invalid(1),
  },
  {
    name: 'a batch of things that are no requests is an array of -32600',
    request: '[null, [], {}, "x"]',
    expected: [invalidRequest, invalidRequest, invalidRequest, invalidRequest],
  },
]

/**
 * The 15 examples of section 7 of the JSON-RPC 2.0 specification
 * (https://www.jsonrpc.org/specification#examples), as data: the exact
 * request text, and the reply expected (`null`: no reply at all).
 *
 * Free (compared loosely): member order and whitespace, an `error.data`
 * member, and the order of the entries of a batch reply (matched by id, the
 * `id: null` ones as a multiset). Everything else is exact.
 */
export interface SpecCase {
  name: string
  request: string
  expected: unknown
}

const parseError = { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }
/** -32600 with id null: what a message that is no Request object gets. */
export const invalidRequest = {
  jsonrpc: '2.0',
  error: { code: -32600, message: 'Invalid Request' },
  id: null,
}

export const specCases: SpecCase[] = [
  {
    name: 'rpc call with positional parameters (1)',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    expected: { jsonrpc: '2.0', result: 19, id: 1 },
  },
  {
    name: 'rpc call with positional parameters (2)',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}',
    expected: { jsonrpc: '2.0', result: -19, id: 2 },
  },
  {
    name: 'rpc call with named parameters (1)',
    request:
      '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    expected: { jsonrpc: '2.0', result: 19, id: 3 },
  },
  {
    name: 'rpc call with named parameters (2)',
    request:
      '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    expected: { jsonrpc: '2.0', result: 19, id: 4 },
  },
  {
    name: 'a notification (1)',
    request: '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    expected: null,
  },
  {
    name: 'a notification (2)',
    request: '{"jsonrpc": "2.0", "method": "foobar"}',
    expected: null,
  },
  {
    name: 'rpc call of non-existent method',
    request: '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    expected: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' },
  },
  {
    name: 'rpc call with invalid JSON',
    request: '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    expected: parseError,
  },
  {
    name: 'rpc call with invalid Request object',
    request: '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    expected: invalidRequest,
  },
  {
    name: 'rpc call Batch, invalid JSON',
    request: `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`,
    expected: parseError,
  },
  {
    name: 'rpc call with an empty Array',
    request: '[]',
    expected: invalidRequest,
  },
  {
    name: 'rpc call with an invalid Batch (but not empty)',
    request: '[1]',
    expected: [invalidRequest],
  },
  {
    name: 'rpc call with invalid Batch',
    request: '[1,2,3]',
    expected: [invalidRequest, invalidRequest, invalidRequest],
  },
  {
    name: 'rpc call Batch',
    request: `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
  {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
  {"foo": "boo"},
  {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
  {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
]`,
    expected: [
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      invalidRequest,
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ],
  },
  {
    name: 'rpc call Batch (all notifications)',
    request: `[
  {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
]`,
    expected: null,
  },
]

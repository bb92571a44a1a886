/** rpc.discover: the OpenRPC document of a handler tree, valid against the OpenRPC meta-schema. */
import { createRequire } from 'node:module'

import { toStandardJsonSchema } from '@valibot/to-json-schema'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import {
  JsonProxy,
  JsonRpc,
  NoSuchFunction,
  type OpenRpcDocument,
  PulsarServerCommands,
  rpcMethod,
} from 'pulsar-ts/rpc'

import { type CalculatorService, app } from '../../examples/calculator.js'
import { serve } from '../helpers/listen.js'

const require = createRequire(import.meta.url)

/** The validator of OpenRPC documents, from @open-rpc/meta-schema (its JSON Schema meta-schema registered beside it). */
function openRpcValidator() {
  const { openrpcDocument } = require('@open-rpc/meta-schema') as {
    openrpcDocument: Record<string, unknown>
  }
  const jsonSchema = require('@json-schema-tools/meta-schema/schema.json') as object
  const ajv = new Ajv({ strict: false })
  addFormats.default(ajv)
  ajv.addSchema(jsonSchema, 'https://meta.json-schema.tools')
  // the document's own $schema names a dialect ajv does not know; the schema is draft-07
  const schema = { ...openrpcDocument }
  delete schema.$schema
  return ajv.compile(schema)
}

async function discover(): Promise<OpenRpcDocument> {
  const { url } = await serve(app())
  return new JsonProxy<CalculatorService>(url).rpc.discover()
}

describe('rpc.discover', () => {
  it('answers the calculator with a document the OpenRPC meta-schema accepts', async () => {
    const document = await discover()
    const validate = openRpcValidator()
    const valid = validate(document)
    expect(validate.errors).toBeNull()
    expect(valid).toBe(true)
    // the validator is no rubber stamp
    expect(validate({ ...document, methods: [{ name: 'x', params: [{ name: 'y' }] }] })).toBe(false)
    expect(validate({ ...document, openrpc: 'one' })).toBe(false)
  })

  it('lists every method by its dotted name, with its doc, params and result', async () => {
    const { openrpc, info, methods } = await discover()
    expect(openrpc).toBe('1.3.2')
    expect(info).toEqual({ title: 'Root', version: '1.0.0' })
    const names = methods.map(({ name }) => name)
    expect(names).toEqual(
      expect.arrayContaining(['ping', 'echo', 'server_info', 'functions_list', 'calc.add']),
    )
    expect(names).not.toContain('rpc.discover')
    const byName = new Map(methods.map((method) => [method.name, method]))
    expect(byName.get('calc.add')).toEqual({
      name: 'calc.add',
      description: 'Adds two numbers.',
      paramStructure: 'either',
      params: [
        { name: 'a', schema: { type: 'number' }, required: true },
        { name: 'b', schema: { type: 'number' }, required: true },
      ],
      result: { name: 'result', schema: { type: 'number' } },
    })
    // a method that takes its named params whole lists them by name, from its schema
    expect(byName.get('calc.randompaths')).toMatchObject({
      paramStructure: 'by-name',
      params: [
        { name: 'num_paths', schema: { type: 'integer', minimum: 1 }, required: false },
        { name: 'size', required: false },
        { name: 'mu', required: false },
        { name: 'sigma', required: false },
      ],
      result: { schema: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
    })
    // without schemas: the names from the signature, a default making a param optional
    expect(byName.get('echo')).toEqual({
      name: 'echo',
      description: 'Answers the message it is given ("" when none).',
      paramStructure: 'either',
      params: [{ name: 'message', schema: {}, required: false }],
    })
    expect(byName.get('ping')).toMatchObject({ params: [] })
  })

  it('keeps functions_list and documentation working', async () => {
    const { url } = await serve(app())
    const proxy = new JsonProxy<CalculatorService>(url)
    const functions = await proxy.functions_list()
    expect(functions.find(({ name }) => name === 'calc.add')).toEqual({
      name: 'calc.add',
      doc: 'Adds two numbers.',
      params: ['a', 'b'],
    })
    expect(await proxy.documentation()).toContain('## calc.divide(a, b)')
  })

  it('describes what a schema without JSON Schema cannot say as any value', async () => {
    const rpc = new JsonRpc({
      title: 'Shop',
      methods: {
        plain: rpcMethod({ params: [v.string()], handle: (_request, name) => name }),
        described: rpcMethod({
          params: [toStandardJsonSchema(v.string())],
          result: toStandardJsonSchema(v.number()),
          handle: (_request, name) => name.length,
        }),
        rest: (_request, first: number, ...others: number[]) => [first, ...others],
      },
    })
    const { methods } = rpc.openRpc()
    expect(methods).toEqual([
      {
        name: 'plain',
        paramStructure: 'either',
        params: [{ name: 'name', schema: {}, required: true }],
      },
      {
        name: 'described',
        paramStructure: 'either',
        params: [{ name: 'name', schema: { type: 'string' }, required: true }],
        result: { name: 'result', schema: { type: 'number' } },
      },
      {
        name: 'rest',
        paramStructure: 'by-position',
        params: [
          { name: 'first', schema: {}, required: true },
          { name: 'others', schema: {}, required: false },
        ],
      },
    ])
    expect(openRpcValidator()(rpc.openRpc())).toBe(true)
  })

  it('can be turned off', async () => {
    const root = new PulsarServerCommands({ discover: false })
    const { url } = await serve(new WsgiHandler([root]))
    const proxy = new JsonProxy<typeof root>(url)
    await expect(proxy.rpc.discover()).rejects.toBeInstanceOf(NoSuchFunction)
    expect(await proxy.ping()).toBe('pong')
  })

  it('describes the tree under the handler that serves it', async () => {
    const inner = new JsonRpc({ methods: { half: (_request, n: number) => n / 2 } })
    const root = new JsonRpc({ methods: { x: () => 1 } }).putSubHandler('inner', inner)
    expect(root.openRpc().methods.map(({ name }) => name)).toEqual(['x', 'inner.half'])
    expect(inner.openRpc().methods.map(({ name }) => name)).toEqual(['half'])
  })
})

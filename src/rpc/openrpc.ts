/**
 * OpenRPC discovery: the document `rpc.discover` answers (the method name
 * the OpenRPC specification reserves), describing every method of a handler
 * tree so that generic tools (playgrounds, client generators) can use it:
 * its dotted name, its doc, its params (names from the signature, JSON
 * Schema where a schema can give one) and its result when declared.
 * @module
 */
import { isThenable } from '../wsgi/callable.js'
import type { StandardSchemaV1 } from '../wsgi/schema.js'
import type { MethodEntry } from './method.js'

/** The OpenRPC version the documents follow. */
export const OPENRPC_VERSION = '1.3.2'

/** A JSON Schema, as OpenRPC carries it. */
export type JsonSchema = Record<string, unknown> | boolean

/** An OpenRPC content descriptor: a param or a result. */
export interface OpenRpcContentDescriptor {
  name: string
  schema: JsonSchema
  required?: boolean
}

/** An OpenRPC method object. */
export interface OpenRpcMethod {
  name: string
  description?: string
  paramStructure: 'by-position' | 'by-name' | 'either'
  params: OpenRpcContentDescriptor[]
  result?: OpenRpcContentDescriptor
}

/** An OpenRPC document, as `rpc.discover` answers it. */
export interface OpenRpcDocument {
  openrpc: string
  info: { title: string; version: string; description?: string }
  methods: OpenRpcMethod[]
}

/** What a document says about the service itself. */
export interface OpenRpcInfo {
  title: string
  version: string
  description?: string | undefined
}

/**
 * The JSON Schema of a schema's input (or output), through Standard JSON
 * Schema (`~standard.jsonSchema`, which zod implements); `{}` (anything)
 * for a schema that has none or cannot express itself in JSON Schema.
 */
export function jsonSchemaOf(schema: StandardSchemaV1, io: 'input' | 'output'): JsonSchema {
  const converter = schema['~standard'].jsonSchema
  if (converter === undefined) return {}
  try {
    // draft-07 is the dialect OpenRPC's meta-schema is written in
    const jsonSchema = { ...converter[io]({ target: 'draft-07' }) }
    delete jsonSchema.$schema // the document's dialect is OpenRPC's
    return jsonSchema
  } catch {
    return {}
  }
}

/** Whether a schema takes `undefined`, so that its param may be left out. */
function acceptsUndefined(schema: StandardSchemaV1): boolean {
  try {
    const result = schema['~standard'].validate(undefined)
    return !isThenable(result) && result.issues === undefined
  } catch {
    return false
  }
}

/**
 * The params of a method that takes named params whole (one destructuring
 * pattern): by name, each property of its schema's JSON Schema (none when
 * that is unknown).
 */
function namedParams(schema: StandardSchemaV1 | undefined): OpenRpcContentDescriptor[] {
  const object = schema && jsonSchemaOf(schema, 'input')
  if (typeof object !== 'object' || typeof object.properties !== 'object') return []
  const required = Array.isArray(object.required) ? (object.required as unknown[]) : []
  return Object.entries(object.properties as Record<string, JsonSchema>).map(([name, value]) => ({
    name,
    schema: value,
    required: required.includes(name),
  }))
}

/** The params of a method: one per parameter after the request, by position or by name. */
function paramsOf({ signature, params: schemas }: MethodEntry): OpenRpcContentDescriptor[] {
  if (signature.pattern) return namedParams(schemas?.[0])
  const name = (index: number) => signature.names[index] || `param${index + 1}`
  if (schemas)
    return schemas.map((schema, index) => ({
      name: name(index),
      schema: jsonSchemaOf(schema, 'input'),
      required: !acceptsUndefined(schema),
    }))
  // OpenRPC has no variadic params: a rest parameter is one optional param
  return signature.unknown
    ? []
    : signature.names.map((_, index) => ({
        name: name(index),
        schema: {},
        required: index < signature.required,
      }))
}

function methodOf(entry: MethodEntry): OpenRpcMethod {
  const { signature } = entry
  // a destructuring pattern takes named params whole; a rest parameter only positional ones
  const paramStructure = signature.pattern ? 'by-name' : signature.rest ? 'by-position' : 'either'
  const method: OpenRpcMethod = { name: entry.name, paramStructure, params: paramsOf(entry) }
  if (entry.doc) method.description = entry.doc
  if (entry.result) method.result = { name: 'result', schema: jsonSchemaOf(entry.result, 'output') }
  return method
}

/** The OpenRPC document of a handler tree's methods. */
export function openRpcDocument(
  info: OpenRpcInfo,
  entries: Iterable<MethodEntry>,
): OpenRpcDocument {
  const { title, version, description } = info
  return {
    openrpc: OPENRPC_VERSION,
    info: description ? { title, version, description } : { title, version },
    methods: [...entries].map(methodOf),
  }
}

/**
 * JSON request bodies: parsed with `JSON.parse`, refused with a 400 when
 * malformed, nested deeper than a limit, or when a key could pollute a
 * prototype once the value is merged into an object.
 * @module
 */
import { BadRequest } from './errors.js'
import { setStackLimit } from './stack-limit.js'

// the text of a body that may hold a polluting key, written plainly or with escapes
const SUSPECT_KEYS = /__proto__|prototype|\\u/

/** How deep a JSON body may nest (the `max_json_depth` setting's default). */
export const MAX_JSON_DEPTH = 128

const BACKSLASH = 0x5c

/** The index of the quote that closes the JSON string opened at `i` (the text's length when none does). */
export function stringEnd(text: string, i: number): number {
  // indexOf runs in native code: only a quote found after a backslash is looked at twice
  for (;;) {
    i = text.indexOf('"', i + 1)
    if (i < 0) return text.length
    let backslashes = 0
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return i
  }
}

/**
 * Whether the arrays and objects of a JSON text nest deeper than `limit`
 * (brackets inside strings do not count). `JSON.parse` takes any depth, but
 * `JSON.stringify` overflows the stack on a value a few thousand levels
 * deep, and so does any recursive walk of it: an echo of the body would be
 * a 500.
 */
export function nestsDeeper(text: string, limit: number): boolean {
  // each level takes two characters: a shorter text is not deep enough, or not JSON
  if (text.length <= 2 * limit) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) i = stringEnd(text, i)
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--
  }
  return false
}

/**
 * `JSON.parse`, except that the `SyntaxError` of malformed text carries no
 * stack: malformed text is the client's mistake, and the stack was 38% of
 * what a malformed JSON-RPC message cost (docs/performance.md, "Sixth pass").
 */
export function parseJson(text: string): unknown {
  const limit = setStackLimit(0)
  try {
    return JSON.parse(text) as unknown
  } finally {
    setStackLimit(limit)
  }
}

/**
 * Parses a JSON request body; malformed or empty JSON is a 400, and so is a
 * body nested deeper than `maxDepth` levels of arrays and objects, or with a
 * key that would reach a prototype when merged into an object (`__proto__`,
 * or `constructor` holding a `prototype`).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (nestsDeeper(text, maxDepth))
    throw new BadRequest(`The JSON body nests deeper than ${maxDepth} levels`)
  let value: unknown
  try {
    value = parseJson(text)
  } catch (error) {
    throw new BadRequest(
      text.trim() ? `Invalid JSON body: ${(error as Error).message}` : 'Empty JSON body',
    )
  }
  const key = SUSPECT_KEYS.test(text) ? pollutingKey(value) : undefined
  if (key) throw new BadRequest(`Forbidden key ${key} in the JSON body`)
  return value
}

/**
 * The first key of a parsed value that could poison a prototype: `__proto__`,
 * or `constructor` holding an object with a `prototype` key (the policy of
 * Fastify's secure-json-parse). `JSON.parse` makes them harmless own keys,
 * but `Object.assign` or a deep merge would not. Walked without recursion:
 * the value may be deeply nested.
 */
export function pollutingKey(root: unknown): string | undefined {
  const stack = [root]
  while (stack.length) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null) continue
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) stack.push(item)
      continue
    }
    const record = value as Record<string, unknown>
    if (Object.hasOwn(record, '__proto__')) return '__proto__'
    const ctor = Object.hasOwn(record, 'constructor') ? record.constructor : undefined
    if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype'))
      return 'constructor.prototype'
    for (const key in record) stack.push(record[key])
  }
  return undefined
}

/**
 * JSON the way JSON-RPC needs it beyond `JSON.parse` and `JSON.stringify`:
 * one scan of a message's text before parsing (its nesting depth, and the
 * text of its numeric ids, which a double may not hold exactly), and the
 * text of a value that refuses what JSON cannot express instead of turning
 * it into `null`. (Keys that would poison a prototype are checked by the
 * core's `pollutingKey`.)
 * @module
 */
import { stringEnd } from '../wsgi/json-body.js'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d
const COMMA = 0x2c
const COLON = 0x3a
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
const LOWER_E = 0x65
const UPPER_E = 0x45
const LOWER_I = 0x69
const LOWER_D = 0x64

/** What `scanMessage` answers for a message nested deeper than its limit. */
export const TOO_DEEP = Symbol('tooDeep')

/**
 * The text of each numeric `id`, by the index of its call in the batch (0
 * for a single call); `undefined` where the id is not a number.
 */
export type IdTexts = readonly (string | undefined)[]

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i)
    // RFC 8259 §2: space, tab, line feed, carriage return
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i
    i++
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE
}

/** Where the number that starts at `i` ends (`i` itself when none starts there). */
function numberEnd(text: string, i: number): number {
  const first = text.charCodeAt(i)
  if (first !== MINUS && !isDigit(first)) return i
  for (i++; ; i++) {
    const c = text.charCodeAt(i)
    if (!isDigit(c) && c !== DOT && c !== LOWER_E && c !== UPPER_E && c !== PLUS && c !== MINUS)
      return i
  }
}

/** Whether the string between `start` and `end` (its quotes excluded) reads `id`. */
function isIdKey(text: string, start: number, end: number): boolean {
  const length = end - start
  if (length === 2)
    return text.charCodeAt(start) === LOWER_I && text.charCodeAt(start + 1) === LOWER_D
  // escaped, from i\u0064 to \u0069\u0064
  const first = text.charCodeAt(start)
  if (length < 7 || length > 12 || (first !== BACKSLASH && first !== LOWER_I)) return false
  try {
    return JSON.parse(text.slice(start - 1, end + 1)) === 'id'
  } catch {
    return false
  }
}

/**
 * Scans the text of a JSON-RPC message once, before `JSON.parse`: `TOO_DEEP`
 * when its arrays and objects nest deeper than `limit` (a deep message costs
 * parse time, and serialising it again overflows the stack; strings are
 * skipped, so brackets inside them do not count), else the text of its
 * numeric ids: `JSON.parse` reads `12345678901234567890123`, `1e400` or
 * `-0` into a double that `JSON.stringify` writes differently, and a reply
 * must carry the id exactly as sent. The `id` member found is the one
 * `JSON.parse` keeps (the last), at the level of the calls only.
 * Malformed text is left to `JSON.parse`: what the scan found is then unused.
 */
export function scanMessage(text: string, limit: number): IdTexts | typeof TOO_DEEP {
  // one slot from the start: a single call's id is stored without growing the array
  const ids: (string | undefined)[] = [undefined]
  const length = text.length
  let depth = 0
  // the depth of the Request objects: 1, or 2 inside a batch
  let callDepth = 1
  let index = 0
  // whether the container open at callDepth is an object (a call)
  let inCall = false
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const start = i + 1
      i = stringEnd(text, i)
      if (depth !== callDepth || !inCall || !isIdKey(text, start, i)) continue
      // a key is followed by a colon; a value "id" is not
      let j = skipSpace(text, i + 1)
      if (text.charCodeAt(j) !== COLON) continue
      j = skipSpace(text, j + 1)
      const end = numberEnd(text, j)
      ids[index] = end > j ? text.slice(j, end) : undefined
      i = end - 1
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return TOO_DEEP
      if (depth === 1 && c === OPEN_ARRAY) callDepth = 2
      else if (depth === callDepth) inCall = c === OPEN_OBJECT
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--
    else if (c === COMMA && depth === 1 && callDepth === 2) index++
  }
  return ids
}

function isNonFinite(value: unknown): boolean {
  return typeof value === 'number' && !Number.isFinite(value)
}

/**
 * Whether `JSON.stringify` met a NaN or ±Infinity in a value it wrote
 * without throwing: it visits what `JSON.stringify` visits (the result of a
 * `toJSON`, own enumerable keys, every index of an array, boxed numbers).
 */
function hasNonFinite(value: unknown, key: string | number): boolean {
  if (typeof value !== 'object' || value === null) return isNonFinite(value)
  const { toJSON } = value as { toJSON?: unknown }
  if (typeof toJSON === 'function') {
    value = toJSON.call(value, String(key))
    if (typeof value !== 'object' || value === null) return isNonFinite(value)
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNonFinite(value[i], i)) return true
    return false
  }
  if (value instanceof Number) return isNonFinite(Number(value))
  const object = value as Record<string, unknown>
  for (const name in object)
    if (Object.hasOwn(object, name) && hasNonFinite(object[name], name)) return true
  return false
}

/**
 * The JSON text of a value, exactly: where `JSON.stringify` would write
 * `NaN` or `±Infinity` as `null`, or give nothing at all (a function, a
 * symbol, a `toJSON` that returns `undefined`), it throws instead, as it
 * does itself for a `BigInt`, a cycle, or a getter or `toJSON` that throws.
 * Nested functions and `undefined`s follow `JSON.stringify` (left out of
 * objects, `null` in arrays). One `JSON.stringify`, and nothing more in
 * the common case: only a text with a `null` in it can hide a non-finite
 * number, and only then is the value walked (about a third of the cost
 * of writing it).
 */
export function exactJson(value: unknown): string {
  if (value === null) return 'null'
  const text = JSON.stringify(value) as string | undefined
  if (text === undefined) throw new TypeError(`JSON cannot express a value of type ${typeof value}`)
  if (text.includes('null') && hasNonFinite(value, ''))
    throw new TypeError('JSON cannot express NaN or Infinity')
  return text
}

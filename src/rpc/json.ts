/**
 * The two checks a JSON-RPC message gets around `JSON.parse`: its nesting
 * depth, measured on the text before parsing (a deep message costs parse
 * time, and re-serialising it overflows the stack), and keys that would
 * poison a prototype if params were ever merged into an object.
 * @module
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

/**
 * Whether the arrays and objects of a JSON text nest deeper than `limit`
 * (strings are skipped, so brackets inside them do not count). Malformed
 * text is left to `JSON.parse`.
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  const length = text.length
  // each level takes a character at least: a short text cannot be too deep
  if (length <= limit) return false
  let depth = 0
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i)
        if (s === BACKSLASH) i++
        else if (s === QUOTE) break
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--
  }
  return false
}

/**
 * The first key that could poison a prototype, anywhere in a parsed value:
 * `__proto__`, or `constructor` holding an object with a `prototype` key
 * (the policy of Fastify's secure-json-parse). `JSON.parse` makes them
 * harmless own keys, but `Object.assign` or a deep merge in a method would
 * not. The value's depth is already bounded by `nestedDeeperThan`.
 */
export function poisonedKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value)) {
    for (const item of value) {
      const key = poisonedKey(item)
      if (key !== undefined) return key
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key]
    if (key === '__proto__') return key
    if (
      key === 'constructor' &&
      typeof item === 'object' &&
      item !== null &&
      Object.hasOwn(item, 'prototype')
    )
      return 'constructor.prototype'
    const nested = poisonedKey(item)
    if (nested !== undefined) return nested
  }
  return undefined
}

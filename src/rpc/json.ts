/**
 * The nesting depth of a JSON-RPC message, measured on the text before
 * parsing: a deep message costs parse time, and re-serialising it
 * overflows the stack. (Keys that would poison a prototype are checked by
 * the core's `pollutingKey`.)
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

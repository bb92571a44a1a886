/**
 * Redis's glob patterns (PSUBSCRIBE) as regular expressions, so that the
 * memory and cluster backends match channels as Redis does.
 * @module
 */

const literal = (char: string) => `\\u{${char.codePointAt(0)!.toString(16)}}`

/**
 * Compiles a Redis glob: `*` any run of characters, `?` one character,
 * `[abc]`, `[^abc]` and `[a-z]` one of a set, `\x` the character x. As
 * in Redis, a set left open runs to the end, and a final `\` is itself.
 */
export function globToRegExp(pattern: string): RegExp {
  const chars = [...pattern]
  let source = ''
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!
    if (char === '*') source += '.*'
    else if (char === '?') source += '.'
    else if (char === '\\' && i + 1 < chars.length) source += literal(chars[++i]!)
    else if (char === '[') {
      const set = charSet(chars, i + 1)
      source += set.source
      i = set.end
    } else source += literal(char)
  }
  return new RegExp(`^${source}$`, 'su')
}

/** The set that starts after a `[` at `start`: its regex and the index where it ends. */
function charSet(chars: string[], start: number): { source: string; end: number } {
  let i = start
  const negated = chars[i] === '^'
  if (negated) i++
  let items = ''
  const source = () => `[${negated ? '^' : ''}${items}]`
  for (; i < chars.length; i++) {
    const char = chars[i]!
    if (char === '\\' && i + 1 < chars.length) items += literal(chars[++i]!)
    else if (char === ']') return { source: source(), end: i }
    else if (chars[i + 1] === '-' && i + 2 < chars.length) {
      let [low, high] = [char, chars[i + 2]!]
      // Redis accepts a range written backwards
      if (low.codePointAt(0)! > high.codePointAt(0)!) [low, high] = [high, low]
      items += `${literal(low)}-${literal(high)}`
      i += 2
    } else items += literal(char)
  }
  // as in Redis, a set left open runs to the end of the pattern
  return { source: source(), end: chars.length - 1 }
}

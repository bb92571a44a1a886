/** Glob cases shared by the pattern tests of the memory backend and of a real Redis. */

/** [pattern, channels it matches, channels it does not] */
export const globCases: [string, string[], string[]][] = [
  ['news', ['news'], ['news.x', 'new', 'xnews']],
  ['room.*', ['room.', 'room.a', 'room.a.b'], ['room', 'rooms.a']],
  ['h?llo', ['hello', 'hallo'], ['hllo', 'heello']],
  ['h[ae]llo', ['hello', 'hallo'], ['hillo']],
  ['h[^e]llo', ['hallo', 'hbllo'], ['hello']],
  ['h[a-c]llo', ['hallo', 'hcllo'], ['hdllo']],
  ['h[c-a]llo', ['hbllo'], ['hdllo']],
  ['a\\*b', ['a*b'], ['axb']],
  ['a.b', ['a.b'], ['axb']],
  ['(x)+', ['(x)+'], ['xx']],
  ['*', ['anything', 'multi\nline'], []],
  ['[ab', ['a', 'b'], ['[ab', 'ab']],
  ['x[a-]', ['xa', 'x]', 'x^'], ['xb', 'x-']],
  ['ends\\', ['ends\\'], ['ends']],
]

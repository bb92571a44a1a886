/**
 * The payloads every compression server sends, built the same way in each
 * process: a JSON document of about 10 KiB and a text of about 100 KiB,
 * from a fixed pseudo-random sequence so they compress like real content
 * (about 4 and 10 times), not like a repeated string.
 */

/** A fixed pseudo-random sequence (a linear congruential generator). */
function sequence(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state >>> 15 // the low bits of such a generator repeat quickly: use the high ones
  }
}

const next = sequence(42)
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'pu',
  'ra',
  'si',
  'to',
  'vu',
  'xe',
  'yo',
  'ze',
  'an',
  'or',
]
const word = () =>
  Array.from({ length: 1 + (next() % 4) }, () => SYLLABLES[next() % SYLLABLES.length]).join('')

/** About 10 KiB of JSON: a page of records, as an API would answer. */
export const JSON_PAYLOAD = Buffer.from(
  JSON.stringify(
    Array.from({ length: 60 }, (_, i) => ({
      id: i,
      uuid: [next(), next(), next()].map((n) => n.toString(16).padStart(4, '0')).join('-'),
      name: `${word()} ${word()}`,
      email: `${word()}.${word()}@example.com`,
      active: next() % 2 === 0,
      score: next() % 1000,
      tags: Array.from({ length: next() % 4 }, word),
      created: new Date(Date.UTC(2024, 0, 1) + (next() % 31536000) * 1000).toISOString(),
    })),
  ),
)

/** About 100 KiB of text: sentences of made-up words. */
export const TEXT_PAYLOAD = Buffer.from(
  Array.from({ length: 1400 }, () => Array.from({ length: 8 + (next() % 8) }, word).join(' ')).join(
    '.\n',
  ),
)

export const JSON_TYPE = 'application/json'
export const TEXT_TYPE = 'text/plain; charset=utf-8'

/** The payload and type served at a path. */
export function payload(path: string | undefined): [Buffer, string] | undefined {
  if (path === '/json') return [JSON_PAYLOAD, JSON_TYPE]
  if (path === '/text') return [TEXT_PAYLOAD, TEXT_TYPE]
  return undefined
}

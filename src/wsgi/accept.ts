/**
 * `Accept`-style header parsing and negotiation (RFC 9110 §12.4-12.5).
 * @module
 */

/** One entry of an `Accept`-style header: a value and its quality. */
export interface AcceptEntry {
  value: string
  q: number
}

/** Parses `Accept`, `Accept-Charset`, `Accept-Encoding` or `Accept-Language`, best first. */
export function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header) return []
  const entries: (AcceptEntry & { order: number })[] = []
  let order = 0
  for (const part of header.split(',')) {
    const [rawValue = '', ...params] = part.split(';')
    const value = rawValue.trim().toLowerCase()
    if (!value) continue
    let q = 1
    for (const param of params) {
      const [key, raw] = param.split('=')
      if (key?.trim().toLowerCase() !== 'q' || raw === undefined) continue
      const parsed = Number(raw.trim())
      q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0
    }
    entries.push({ value, q, order: order++ })
  }
  entries.sort((a, b) => b.q - a.q || a.order - b.order)
  return entries.map(({ value, q }) => ({ value, q }))
}

// a client sends the same Accept on every request: the entries parsed last are kept
let lastHeader: string | undefined
let lastEntries: readonly AcceptEntry[] = []

/**
 * `parseAccept()` for negotiating on every request: the entries of the
 * header last parsed are kept, so they are shared and must not be changed.
 */
export function acceptEntries(header: string | undefined): readonly AcceptEntry[] {
  if (header !== lastHeader) {
    lastEntries = parseAccept(header)
    lastHeader = header
  }
  return lastEntries
}

/** How well a media range (`text/*`, `*∕*`, parsed: no parameters) covers a normalized media type. */
function mediaMatches(range: string, type: string): number {
  if (range === type) return 3
  if (range === '*/*' || range === '*') return 1
  if (range.endsWith('/*') && type.startsWith(range.slice(0, -1))) return 2
  return 0
}

/** A media type without its parameters, lower case, as ranges are compared with it. */
function normalizedType(type: string): string {
  const semicolon = type.indexOf(';')
  return (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase()
}

/**
 * The quality the client gives a media type: the most specific matching range
 * wins (RFC 9110 §12.5.1); 1 when there is no `Accept` header, 0 when refused.
 */
export function mediaQuality(accept: readonly AcceptEntry[], type: string): number {
  if (accept.length === 0) return 1
  const normalized = normalizedType(type)
  let best = 0
  let q = 0
  for (const entry of accept) {
    const specificity = mediaMatches(entry.value, normalized)
    if (specificity > best) {
      best = specificity
      q = entry.q
    }
  }
  return q
}

/**
 * The offered media type the client prefers, ties going to the first offered;
 * `undefined` when the client accepts none of them.
 */
export function bestMediaType(
  accept: readonly AcceptEntry[],
  offered: readonly string[],
): string | undefined {
  let best: string | undefined
  let bestQ = 0
  for (const type of offered) {
    const q = mediaQuality(accept, type)
    if (q > bestQ) {
      best = type
      bestQ = q
    }
  }
  return best
}

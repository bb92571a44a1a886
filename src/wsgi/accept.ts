/**
 * `Accept`-style header parsing and negotiation (RFC 9110 §12.4-12.5).
 * @module
 */

/** One entry of an `Accept`-style header: a value and its quality. */
export interface AcceptEntry {
  value: string
  q: number
}

/**
 * Parses `Accept`, `Accept-Charset`, `Accept-Encoding` or `Accept-Language`,
 * best first (ties in the order written). One pass with no array per entry
 * and no sort when the qualities already come best first: a header is the
 * client's to make as long as `max_header_size` lets it, and thousands of
 * entries must cost what reading them costs (docs/performance.md, "Sixth pass").
 */
export function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header) return []
  const entries: AcceptEntry[] = []
  let ordered = true
  for (let start = 0; start <= header.length;) {
    let end = header.indexOf(',', start)
    if (end < 0) end = header.length
    const entry = parseEntry(header, start, end)
    if (entry !== undefined) {
      if (ordered && entries.length > 0 && entry.q > entries[entries.length - 1]!.q) ordered = false
      entries.push(entry)
    }
    start = end + 1
  }
  // Array.prototype.sort is stable: entries of one quality keep their order
  if (!ordered) entries.sort((a, b) => b.q - a.q)
  return entries
}

/**
 * The entry between `start` and `end` (a value, then `;`-separated
 * parameters), or `undefined` when empty. Read character by character
 * within the entry: an `indexOf` would look past its end, through the rest
 * of the header, for every entry that lacks a `;` or an `=`.
 */
function parseEntry(header: string, start: number, end: number): AcceptEntry | undefined {
  let semicolon = start
  while (semicolon < end && header.charCodeAt(semicolon) !== 59 /* ; */) semicolon++
  const value = header.slice(start, semicolon).trim().toLowerCase()
  if (!value) return undefined
  let q = 1
  // the last q parameter counts, as it always did here
  for (let param = semicolon + 1; param < end;) {
    // the parameter's first `=`, the second if any (what follows it is not the value), its end
    let equals = -1
    let stop = -1
    let next = param
    for (; next < end; next++) {
      const c = header.charCodeAt(next)
      if (c === 59 /* ; */) break
      if (c === 61 /* = */) {
        if (equals < 0) equals = next
        else if (stop < 0) stop = next
      }
    }
    if (equals >= 0 && header.slice(param, equals).trim().toLowerCase() === 'q') {
      const parsed = Number(header.slice(equals + 1, stop < 0 ? next : stop).trim())
      q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0
    }
    param = next + 1
  }
  return { value, q }
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

/**
 * Content-coding negotiation from `Accept-Encoding` (RFC 9110 §12.5.3).
 * @module
 */
import { parseAccept } from '../wsgi/accept.js'

/**
 * The coding to answer with: one of `offered`, `'identity'` (no coding), or
 * `undefined` when the client accepts none of them and refuses identity.
 *
 * - No header, or an empty one: identity. The RFC would allow any coding,
 *   but a client that says nothing may not decode one.
 * - A coding the client names is acceptable unless its q is 0; `*` stands
 *   for every coding it does not name; `x-gzip` is `gzip`.
 * - Identity is acceptable unless `identity;q=0`, or `*;q=0` without an
 *   identity entry. When it is not named its q is that of `*`, else the
 *   lowest non-zero q the client gave, so `gzip;q=0.5` still gets gzip.
 * - The highest q wins; on a tie a coding beats identity, and among codings
 *   the order of `offered` decides.
 */
export function negotiateEncoding(
  header: string | undefined,
  offered: readonly string[],
): string | undefined {
  const entries = parseAccept(header)
  if (entries.length === 0) return 'identity'
  const named = new Map<string, number>()
  let star: number | undefined
  let identity: number | undefined
  let lowest = 1
  // entries come best first, so the first of a repeated name is its best q
  for (const { value, q } of entries) {
    const name = value === 'x-gzip' ? 'gzip' : value
    if (name === '*') star ??= q
    else if (name === 'identity') identity ??= q
    else if (!named.has(name)) named.set(name, q)
    if (q > 0 && q < lowest) lowest = q
  }
  let best: string | undefined
  let bestQ = 0
  for (const coding of offered) {
    const q = named.get(coding) ?? star ?? 0
    if (q > bestQ) {
      best = coding
      bestQ = q
    }
  }
  const identityQ = identity ?? star ?? lowest
  if (best !== undefined && bestQ >= identityQ) return best
  return identityQ > 0 ? 'identity' : undefined
}

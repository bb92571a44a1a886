/**
 * `Vary` (RFC 9110 §12.5.5): the request headers a response depends on, so
 * caches keep one copy per value of each.
 * @module
 */
import type { ResponseHeaders } from '../wsgi/headers.js'

/** Adds `field` to the response's `Vary`, unless it is there already or `Vary` is `*`. */
export function addVary(headers: ResponseHeaders, field: string): void {
  const current = headers.getAll('Vary')
  if (current.length === 0) {
    headers.append('Vary', field)
    return
  }
  const lower = field.toLowerCase()
  for (const value of current)
    for (const name of value.split(',')) {
      const token = name.trim().toLowerCase()
      if (token === '*' || token === lower) return
    }
  headers.set('Vary', `${current.join(', ')}, ${field}`)
}

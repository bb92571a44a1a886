/**
 * Checks for middleware options, made once when a middleware is built, so a
 * bad option fails at startup with a message naming it, never per request.
 * @module
 */

/** Returns `value` when it is an integer in `[min, max]`; throws a TypeError naming the option otherwise. */
export function integerOption(name: string, value: number, min: number, max = Infinity): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`
    throw new TypeError(`${name} must be an integer ${range}, not ${String(value)}`)
  }
  return value
}

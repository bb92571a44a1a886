/** Waiting in tests: a plain delay, and polling until a condition holds. */

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `check()` gives something other than `undefined` or `false`; fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
  what = 'condition',
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value as Exclude<T, false>
    if (Date.now() > deadline) throw new Error(`${what} not met in ${ms} ms`)
    await delay(50)
  }
}

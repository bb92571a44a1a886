/**
 * Turning stack capture off around an error that stands for a client's
 * mistake: its stack would only name the code that noticed, and capturing
 * it was 38 to 47% of what a failing request cost (docs/performance.md,
 * "Sixth pass").
 * @module
 */

/**
 * Sets `Error.stackTraceLimit` and returns the limit it replaced. Where the
 * limit is read-only (something froze `Error`) it changes nothing, and
 * errors keep their stacks.
 */
export function setStackLimit(limit: number): number {
  const previous = Error.stackTraceLimit
  try {
    Error.stackTraceLimit = limit
  } catch {
    // frozen intrinsics: stacks are captured as they always were
  }
  return previous
}

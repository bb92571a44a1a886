/**
 * Packages loaded on first use: importing pulsar-ts does not load ws,
 * ioredis, busboy, find-my-way, mime-types or pino until something needs
 * them (docs/performance.md, "Startup"). Each is loaded once, synchronously
 * (they are CommonJS), and cached: no promise and no cost per request.
 * @module
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A function returning the package `name`, required on its first call;
 * declare its type with `import type`, so the import itself loads nothing.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= require(name) as T)
}

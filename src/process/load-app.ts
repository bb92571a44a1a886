/**
 * What the `pulsar-ts` command serves: the application a module exports,
 * found and checked before anything listens. JavaScript is imported as it
 * is; TypeScript through tsx when the project has it, else through Node's
 * own type stripping where the Node version has it (docs/cli.md).
 * @module
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { WsgiHandler } from '../wsgi/handler.js'
import type { Callable, Middleware, WsgiApp } from '../wsgi/types.js'

/** A reason the command cannot serve: one line for the user, and the exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

const TYPESCRIPT = /\.[cm]?tsx?$/

/** Whether this Node strips TypeScript types itself (22.18+ and 23.6+, or 22.6+ with the flag). */
function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: string | false }
  return Boolean(features.typescript) || process.execArgv.includes('--experimental-strip-types')
}

/** tsx's entry (what `node --import tsx` loads), from the module's project or from pulsar-ts's. */
function findTsx(path: string): string | undefined {
  for (const base of [path, import.meta.url]) {
    try {
      return createRequire(base).resolve('tsx')
    } catch {
      // not installed there
    }
  }
  return undefined
}

/**
 * Makes TypeScript importable: registers tsx's loader when tsx is
 * installed; otherwise relies on Node's type stripping, or says what to
 * install. Checked before the import, because Node remembers a failed one.
 */
async function loadTypeScript(path: string, file: string): Promise<void> {
  const tsx = findTsx(path)
  if (tsx) await import(pathToFileURL(tsx).href)
  else if (!nodeStripsTypes())
    throw new UsageError(
      `${file} is TypeScript, which Node ${process.version} cannot run by itself: install tsx (npm i -D tsx), use Node 22.18 or later, or compile it to JavaScript`,
    )
}

/** Whether a value can be served: a function, or an object with a `handle()` method. */
function isCallable(value: unknown): value is Callable<WsgiApp> {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { handle?: unknown }).handle === 'function')
  )
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object without a handle() method' : `a ${typeof value}`
}

/**
 * Imports `file` and returns the application its export `name` holds (the
 * default export, else `app`, when no name is given), ready to serve: a
 * `WsgiHandler` as it is, anything else callable as the one middleware of a
 * `WsgiHandler`. A WSGI application's answer goes through unchanged, while
 * a middleware (or a `Router`) that answers `undefined` gets a 404, and one
 * that answers a `WsgiResponse` is sent, as in any `WsgiHandler`. A missing
 * module, export or callable is a `UsageError`.
 */
export async function loadApp(file: string, name?: string): Promise<Callable<WsgiApp>> {
  const path = resolve(file)
  if (!existsSync(path)) throw new UsageError(`No module ${file} (looked for ${path})`)
  if (TYPESCRIPT.test(path)) await loadTypeScript(path, file)
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  const exported = name ?? (module.default !== undefined ? 'default' : 'app')
  const app = module[exported]
  if (app === undefined)
    throw new UsageError(
      `${file} exports no ${name ? `"${name}"` : 'default or "app"'} application`,
    )
  if (!isCallable(app))
    throw new UsageError(
      `The export "${exported}" of ${file} is ${describe(app)}, not an application (a function or an object with a handle() method)`,
    )
  return app instanceof WsgiHandler ? app : new WsgiHandler([app as Callable<Middleware>])
}

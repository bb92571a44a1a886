#!/usr/bin/env node
/**
 * The `pulsar-ts` command: serves the WSGI application a module exports.
 *
 *     pulsar-ts app.js                # the default export (or `app`)
 *     pulsar-ts app.js:site --bind :9000 --workers 0
 *
 * @module
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import type { Callable, WsgiApp } from '../wsgi/types.js'
import { helpText } from './settings.js'
import { WSGIServer } from './wsgi-server.js'

const USAGE = 'pulsar-ts MODULE[:NAME]'

async function main(argv: string[]): Promise<void> {
  const index = argv.findIndex((arg) => !arg.startsWith('-'))
  if (index < 0) {
    const help = argv.includes('--help') || argv.includes('-h')
    const text = `${helpText(USAGE)}\n\nMODULE is a JS module; NAME its export holding the application (default: the default export, else "app").\n`
    ;(help ? process.stdout : process.stderr).write(text)
    process.exit(help ? 0 : 2)
  }
  const target = argv[index]!
  const colon = target.lastIndexOf(':')
  const [file, name] =
    colon > 0 ? [target.slice(0, colon), target.slice(colon + 1)] : [target, undefined]
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>
  const app = name ? module[name] : (module.default ?? module.app)
  if (app === undefined) {
    process.stderr.write(
      `${file} exports no ${name ? `"${name}"` : 'default or "app"'} application\n`,
    )
    process.exit(2)
  }
  await new WSGIServer(app as Callable<WsgiApp>).start(
    [...argv.slice(0, index), ...argv.slice(index + 1)],
    USAGE,
  )
}

await main(process.argv.slice(2))

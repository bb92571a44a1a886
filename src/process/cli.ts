#!/usr/bin/env node
/**
 * The `pulsar-ts` command: serves the WSGI application a module exports
 * (docs/cli.md).
 *
 *     pulsar-ts app.js                # the default export (or `app`)
 *     pulsar-ts app.ts:site --bind :9000 --workers 4
 *
 * Exit codes: 2 when there is nothing to serve (no such module, export or
 * application, TypeScript without a way to run it, a bad setting); 1 when
 * the module throws while it loads.
 * @module
 */
import { UsageError, loadApp } from './load-app.js'
import { helpText } from './settings.js'
import { WSGIServer } from './wsgi-server.js'

const USAGE = 'pulsar-ts MODULE[:NAME]'

function fail(message: string, code: number): never {
  process.stderr.write(`pulsar-ts: ${message}\n`)
  process.exit(code)
}

async function main(argv: string[]): Promise<void> {
  const index = argv.findIndex((arg) => !arg.startsWith('-'))
  if (index < 0) {
    const help = argv.includes('--help') || argv.includes('-h')
    const text = `${helpText(USAGE)}\n\nMODULE is a JavaScript or TypeScript module; NAME its export holding the application (default: the default export, else "app").\n`
    ;(help ? process.stdout : process.stderr).write(text)
    process.exit(help ? 0 : 2)
  }
  const target = argv[index]!
  const colon = target.lastIndexOf(':')
  const [file, name] =
    colon > 0 ? [target.slice(0, colon), target.slice(colon + 1)] : [target, undefined]
  let app
  try {
    app = await loadApp(file, name || undefined)
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, 2)
    // the module's own failure: Node's loader errors say it in one line; the
    // module's own errors go to Node, which prints them with their stack and,
    // for a syntax error, the line and where in it (exit code 1)
    const { code, message } = error as NodeJS.ErrnoException
    if (code?.startsWith('ERR_')) fail(`${file} failed to load: ${message}`, 1)
    process.stderr.write(`pulsar-ts: ${file} failed to load:\n`)
    throw error
  }
  await new WSGIServer(app).start([...argv.slice(0, index), ...argv.slice(index + 1)], USAGE)
}

await main(process.argv.slice(2))

/**
 * The server as a program: a script calling `start()` and the `pulsar-ts`
 * command, run as real processes with real signals, waiting on their output.
 */
import { describe, expect, it } from 'vitest'

import { HANG_MS, listening, run } from '../helpers/process.js'

const FIXTURE = 'test/fixtures/middleware-app.ts'

describe('a script that calls start()', { timeout: 2 * HANG_MS }, () => {
  it('prints every setting with its default for --help and exits 0', async () => {
    const hello = run(['examples/hello.ts', '--help'])
    expect((await hello.exit).code).toBe(0)
    expect(hello.stdout()).toContain('Usage: node hello.ts [options]')
    expect(hello.stdout()).toMatch(/--bind BIND\s+Address to listen on/)
    expect(hello.stdout()).toContain('default: 16777216; env PULSAR_STREAM_BUFFER')
  })

  it('serves on the --bind address and drains on SIGTERM', async () => {
    const hello = run(['examples/hello.ts', '--bind', '127.0.0.1:0'])
    const url = await listening(hello)
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toBe('Hello World!\n')
    expect((await fetch(url, { method: 'POST' })).status).toBe(405)
    hello.child.kill('SIGTERM')
    expect(await hello.exit).toEqual({ code: 0, signal: null })
  })

  it('takes settings from PULSAR_* variables, below the command line', async () => {
    const hello = run(['examples/hello.ts', '--server-software', 'cli/1'], {
      PULSAR_BIND: '127.0.0.1:0',
      PULSAR_SERVER_SOFTWARE: 'env/1',
    })
    const url = await listening(hello)
    expect((await fetch(url)).headers.get('server')).toBe('cli/1')
    hello.child.kill('SIGTERM')
    expect((await hello.exit).code).toBe(0)
  })

  it('refuses an unknown flag or a bad value with exit code 2', async () => {
    const unknown = run(['examples/hello.ts', '--no-such-flag'])
    expect((await unknown.exit).code).toBe(2)
    expect(unknown.stderr()).toContain('Try --help')
    const bad = run(['examples/hello.ts', '--backlog', 'many'])
    expect((await bad.exit).code).toBe(2)
    expect(bad.stderr()).toContain('Setting backlog must be an integer')
  })
})

describe('the pulsar-ts command', { timeout: 2 * HANG_MS }, () => {
  it('serves the named export of a module', async () => {
    const cli = run(['src/process/cli.ts', 'examples/hello.ts:hello', '--bind', '127.0.0.1:0'])
    const url = await listening(cli)
    expect(await (await fetch(url)).text()).toBe('Hello World!\n')
    cli.child.kill('SIGINT')
    expect((await cli.exit).code).toBe(0)
  })

  it('finishes a slow request in flight on SIGTERM, then exits 0', async () => {
    const cli = run(['src/process/cli.ts', 'test/fixtures/slow-app.ts', '--bind', '127.0.0.1:0'])
    const url = await listening(cli)
    const slow = fetch(`${url}/slow`)
    await cli.until(/in flight: \/slow/)
    cli.child.kill('SIGTERM')
    const res = await slow
    expect(await res.text()).toBe('done /slow')
    expect(res.headers.get('connection')).toBe('close')
    expect(await cli.exit).toEqual({ code: 0, signal: null })
  })

  it('explains its usage without a module', async () => {
    const help = run(['src/process/cli.ts', '--help'])
    expect((await help.exit).code).toBe(0)
    expect(help.stdout()).toContain('Usage: pulsar-ts MODULE[:NAME] [options]')
  })

  it('serves a middleware export: 404 where it answers undefined, its responses elsewhere', async () => {
    const cli = run(['src/process/cli.ts', `${FIXTURE}:api`, '--bind', '127.0.0.1:0'])
    const url = await listening(cli)
    const other = await fetch(`${url}/other`, { headers: { accept: 'text/plain' } })
    expect(other.status).toBe(404)
    await other.text()
    expect((await fetch(`${url}/echo`)).status).toBe(405)
    const echo = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(await echo.json()).toEqual({ got: { a: 1 }, from: new URL(url).host })
    cli.child.kill('SIGTERM')
    expect((await cli.exit).code).toBe(0)
    expect(cli.stderr()).toBe('')
  })

  it('serves a Router export, with a 404 off its routes', async () => {
    const cli = run(['src/process/cli.ts', `${FIXTURE}:items`, '--bind', '127.0.0.1:0'])
    const url = await listening(cli)
    expect(await (await fetch(`${url}/items`)).json()).toEqual(['a', 'b'])
    const other = await fetch(`${url}/elsewhere`)
    expect(other.status).toBe(404)
    await other.text()
    cli.child.kill('SIGTERM')
    expect((await cli.exit).code).toBe(0)
  })

  it.each([
    [
      'examples/no-such-app.js',
      /^pulsar-ts: No module examples\/no-such-app.js \(looked for \/.+\/examples\/no-such-app.js\)$/,
    ],
    [
      'examples/hello.ts:nothing',
      /^pulsar-ts: examples\/hello.ts exports no "nothing" application$/,
    ],
    [
      `${FIXTURE}`,
      /^pulsar-ts: test\/fixtures\/middleware-app.ts exports no default or "app" application$/,
    ],
    [
      `${FIXTURE}:port`,
      /^pulsar-ts: The export "port" of .+ is a number, not an application \(a function or an object with a handle\(\) method\)$/,
    ],
    [
      `${FIXTURE}:options`,
      /^pulsar-ts: The export "options" of .+ is an object without a handle\(\) method, not an application/,
    ],
  ])('refuses %s in one line, with exit code 2', async (target, line) => {
    const cli = run(['src/process/cli.ts', target, '--bind', '127.0.0.1:0'])
    expect((await cli.exit).code).toBe(2)
    expect(cli.stderr()).toMatch(/^[^\n]*\n$/)
    expect(cli.stderr().trimEnd()).toMatch(line)
    expect(cli.stdout()).toBe('')
  })

  it('shows the stack of a module that throws while loading, with exit code 1', async () => {
    const cli = run(['src/process/cli.ts', 'test/fixtures/throwing-app.ts'])
    expect((await cli.exit).code).toBe(1)
    expect(cli.stderr()).toMatch(
      /^pulsar-ts: test\/fixtures\/throwing-app.ts failed to load:\n[^]*throwing-app\.ts:6\n[^]*Error: the database is down\n\s+at .*throwing-app\.ts:6/,
    )
  })
})

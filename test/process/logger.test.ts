/**
 * Log lines for people and for machines: pretty at a terminal, JSON in a
 * pipe, whichever `--log-format` asks for; checked on real processes.
 */
import { spawn } from 'node:child_process'

import { describe, expect, it } from 'vitest'

import { logFormat } from '../../src/process/logger.js'
import { listening, run } from '../helpers/process.js'

/** A pretty line: time, level, pid, then the text. */
const PRETTY = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): /m

describe('the log format', () => {
  it('is pretty at a terminal and JSON otherwise, unless the setting says', () => {
    expect(logFormat({ log_level: 'info' }, { isTTY: true })).toBe('pretty')
    expect(logFormat({ log_level: 'info', log_format: '' }, { isTTY: false })).toBe('json')
    expect(logFormat({ log_level: 'info', log_format: '' }, {})).toBe('json')
    expect(logFormat({ log_level: 'info', log_format: 'json' }, { isTTY: true })).toBe('json')
    expect(logFormat({ log_level: 'info', log_format: 'pretty' }, { isTTY: false })).toBe('pretty')
  })

  it('writes JSON lines when stdout is a pipe', async () => {
    const hello = run(['examples/hello.ts', '--bind', '127.0.0.1:0', '--access-log'])
    const url = await listening(hello)
    await (await fetch(`${url}/json`)).text()
    hello.child.kill('SIGTERM')
    await hello.exit
    const lines = hello.stdout().trim().split('\n')
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records).toContainEqual(
      expect.objectContaining({ msg: `pulsar-ts listening on ${url}` }),
    )
    expect(records).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/json', status: 200 }),
    )
  })

  it('writes pretty lines for --log-format pretty, an access line as METHOD PATH STATUS', async () => {
    const hello = run(
      ['examples/hello.ts', '--bind', '127.0.0.1:0', '--access-log', '--log-format', 'pretty'],
      { NO_COLOR: '1' },
    )
    const url = await listening(hello)
    expect(hello.stdout()).toMatch(PRETTY)
    expect(hello.stdout()).toContain(`: pulsar-ts listening on ${url}\n`)
    expect(hello.stdout()).not.toContain('{"level"')
    await (await fetch(`${url}/pretty`, { method: 'POST' })).text()
    hello.child.kill('SIGTERM')
    await hello.exit
    expect(hello.stdout()).toMatch(/INFO \(\d+\): POST \/pretty 405 [\d.]+ ms\n/)
  })

  it('is JSON for PULSAR_LOG_FORMAT=json, and refuses another format with exit code 2', async () => {
    const bad = run(['examples/hello.ts', '--log-format', 'xml'])
    expect((await bad.exit).code).toBe(2)
    expect(bad.stderr()).toContain('Setting log_format must be json or pretty, got "xml"')
    const json = run(['examples/hello.ts', '--bind', '127.0.0.1:0'], { PULSAR_LOG_FORMAT: 'json' })
    await listening(json)
    expect(JSON.parse(json.stdout().split('\n')[0]!)).toMatchObject({ level: 30 })
  })

  it('is pretty and coloured by default in a terminal', async () => {
    // script(1) runs the command in a pseudo-terminal: stdout.isTTY, as in a developer's shell
    const code = `const { createLogger } = await import('./src/process/logger.ts'); createLogger({ log_level: 'info' }).info('from a terminal')`
    const command = `'${process.execPath}' --import tsx --input-type=module -e "${code}"`
    // colours as a plain terminal has them: neither forced (vitest forces them) nor disabled
    const env = { ...process.env }
    delete env.NO_COLOR
    delete env.FORCE_COLOR
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: new URL('../..', import.meta.url),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (data: Buffer) => (output += data.toString()))
    const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(exit).toBe(0)
    expect(output).toContain('\x1b[32mINFO\x1b[39m')
    expect(output).toContain('from a terminal')
    expect(output).not.toContain('{"level"')
  })
})

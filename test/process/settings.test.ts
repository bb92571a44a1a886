/** The settings table and every way settings arrive: options, file, env, argv. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { type Config, settings, version } from 'pulsar-ts'

import { configurationDoc } from '../../scripts/configuration-doc.js'
import { fromArgv, fromEnv, fromFile, helpText, resolveConfig } from '../../src/process/settings.js'
import { parseBind } from '../../src/server/bind.js'

const names = Object.keys(settings) as (keyof Config)[]

describe('resolveConfig', () => {
  it('starts from the defaults of the table and freezes the result', () => {
    const cfg = resolveConfig()
    for (const name of names) expect(cfg[name], name).toBe(settings[name].default)
    expect(cfg).toMatchObject({
      bind: '127.0.0.1:8060',
      stream_buffer: 16 * 1024 * 1024,
      workers: 0,
    })
    expect(Object.isFrozen(cfg)).toBe(true)
  })

  it('lets later sources win and coerces strings', () => {
    const cfg = resolveConfig(
      { backlog: 10, debug: false },
      { backlog: '20', debug: 'yes', headers_timeout: '0.5' },
    )
    expect(cfg.backlog).toBe(20)
    expect(cfg.debug).toBe(true)
    expect(cfg.headers_timeout).toBe(0.5)
  })

  it('names the setting and the value it refuses', () => {
    expect(() => resolveConfig({ nonsense: 1 } as never)).toThrow('Unknown setting "nonsense"')
    expect(() => resolveConfig({ backlog: 'lots' })).toThrow(
      'Setting backlog must be an integer, got "lots"',
    )
    expect(() => resolveConfig({ backlog: 1.5 })).toThrow(/backlog must be an integer/)
    expect(() => resolveConfig({ headers_timeout: 0 })).toThrow(
      /headers_timeout must be at least 0.1/,
    )
    expect(() => resolveConfig({ log_level: 'loud' })).toThrow(/log_level must be one of/)
    expect(() => resolveConfig({ bind: 'a:b:c:99999' })).toThrow(/bind/)
    expect(() => resolveConfig({ debug: 'maybe' })).toThrow(/debug must be a boolean/)
    expect(() => resolveConfig({ key_file: 'k.pem' })).toThrow(/key_file and cert_file go together/)
    expect(() => resolveConfig({ request_timeout: 1, headers_timeout: 2 })).toThrow(
      /request_timeout/,
    )
  })
})

describe('sources', () => {
  it('reads flags, short flags and boolean flags; refuses unknown ones', () => {
    const parsed = fromArgv(['-b', ':9000', '--debug', '--stream-buffer', '1024', 'extra'])
    expect(parsed.values).toEqual({ bind: ':9000', debug: true, stream_buffer: '1024' })
    expect(parsed.positionals).toEqual(['extra'])
    expect(fromArgv(['-h']).help).toBe(true)
    expect(() => fromArgv(['--nope'])).toThrow(/nope/)
  })

  it('reads PULSAR_* environment variables', () => {
    expect(fromEnv({ PULSAR_BIND: ':1', PULSAR_DEBUG: '1', OTHER: 'x' })).toEqual({
      bind: ':1',
      debug: '1',
    })
  })

  it('reads JSON and JS config files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulsar-config-'))
    writeFileSync(join(dir, 'a.json'), '{"backlog": 7}')
    writeFileSync(join(dir, 'b.mjs'), 'export default { debug: true }')
    writeFileSync(join(dir, 'c.json'), '[1]')
    expect(await fromFile(join(dir, 'a.json'))).toEqual({ backlog: 7 })
    expect(await fromFile(join(dir, 'b.mjs'))).toEqual({ debug: true })
    await expect(fromFile(join(dir, 'c.json'))).rejects.toThrow(/object of settings/)
  })

  it('prints every flag with its default in --help', () => {
    const help = helpText('node app.js')
    for (const name of names) {
      expect(help).toContain(settings[name].flag)
      expect(help).toContain(settings[name].env)
    }
    expect(help).toContain('default: 127.0.0.1:8060')
  })

  it('keeps docs/configuration.md generated from the table', () => {
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(
      configurationDoc(),
    )
  })

  it('keeps the version equal to package.json', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    expect(version).toBe(pkg.version)
  })
})

describe('parseBind', () => {
  it.each([
    ['127.0.0.1:8060', { host: '127.0.0.1', port: 8060 }],
    [':9000', { host: undefined, port: 9000 }],
    ['localhost', { host: 'localhost', port: 8060 }],
    ['[::1]:80', { host: '::1', port: 80 }],
    ['::1', { host: '::1', port: 8060 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['unix:/tmp/app.sock', { path: '/tmp/app.sock' }],
  ])('parses %s', (bind, expected) => {
    expect(parseBind(bind)).toEqual(expected)
  })

  it.each(['', 'unix:', 'host:99999', 'host:port', '[::1'])('refuses %j', (bind) => {
    expect(parseBind(bind)).toBeUndefined()
  })
})

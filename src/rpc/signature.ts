/**
 * What a method declares, read from its source once at registration: the
 * names of its parameters (after the request), how many are required, and
 * whether it takes a rest parameter or one destructuring pattern. Positional
 * and named params are checked against it, as pulsar checks a Python
 * signature, and named params are mapped onto the declared names.
 * @module
 */
import { InvalidParams } from './errors.js'

/** The parameters a method declares after the request. */
export interface Signature {
  /** The parameter names in order; `''` for a destructuring pattern. */
  readonly names: readonly string[]
  /** How many leading parameters have no default and must be given. */
  readonly required: number
  /** Whether the last parameter is a rest parameter (`...values`): any number of positional params. */
  readonly rest: boolean
  /** Whether the parameters are one destructuring pattern (`{ a, b = 1 }`), which gets named params as an object. */
  readonly pattern: boolean
  /** Whether the source could not be read (a native or bound function): nothing is checked. */
  readonly unknown: boolean
}

const UNKNOWN: Signature = { names: [], required: 0, rest: true, pattern: false, unknown: true }
const OPEN = new Set(['(', '[', '{'])
const CLOSE = new Set([')', ']', '}'])

/** The signature of a method's parameters after the first (the request). */
export function signatureOf(fn: (...args: never[]) => unknown): Signature {
  const source = Function.prototype.toString.call(fn)
  if (source.includes('[native code]') || /^class\b/.test(source)) return UNKNOWN
  const params = parameterList(source)
  if (params === undefined) return UNKNOWN
  const declared = params.slice(1)
  const names: string[] = []
  let required = 0
  let optional = false
  let rest = false
  for (const param of declared) {
    rest = param.text.startsWith('...')
    const text = rest ? param.text.slice(3).trim() : param.text
    names.push(/^[A-Za-z_$][\w$]*/.exec(text)?.[0] ?? '')
    optional ||= param.hasDefault || rest
    if (!optional) required++
  }
  const pattern = declared.length === 1 && /^[{[]/.test(declared[0]!.text)
  return { names, required, rest, pattern, unknown: false }
}

interface Param {
  text: string
  hasDefault: boolean
}

/** The top-level parameters of a function's source, or `undefined` when they cannot be found. */
function parameterList(source: string): Param[] | undefined {
  const arrow = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source)
  if (arrow) return [{ text: arrow[1]!, hasDefault: false }]
  const start = source.indexOf('(')
  if (start < 0) return undefined
  const params: Param[] = []
  let depth = 0
  let from = start + 1
  let hasDefault = false
  for (let i = start; i < source.length; i++) {
    const c = source[i]!
    if (c === '"' || c === "'" || c === '`') i = skipString(source, i)
    else if (c === '/' && source[i + 1] === '*')
      i = source.indexOf('*/', i + 2) + 1 || source.length
    else if (c === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) >>> 0
    else if (OPEN.has(c)) depth++
    else if (CLOSE.has(c)) {
      if (--depth > 0) continue
      push(params, source.slice(from, i), hasDefault)
      return params
    } else if (depth === 1 && c === ',') {
      push(params, source.slice(from, i), hasDefault)
      from = i + 1
      hasDefault = false
    } else if (depth === 1 && c === '=' && source[i + 1] !== '>' && source[i + 1] !== '=')
      hasDefault = true
  }
  return undefined
}

function push(params: Param[], raw: string, hasDefault: boolean): void {
  const text = raw.replace(/\/\*[\s\S]*?\*\//g, '').trim()
  if (text) params.push({ text, hasDefault })
}

/** The index of the quote that closes the string (or template) opened at `start`. */
function skipString(source: string, start: number): number {
  const quote = source[start]
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++
    else if (source[i] === quote) return i
  }
  return source.length
}

/**
 * The arguments to call a method with, after the request: positional params
 * as they are, named params mapped onto the declared names (or passed whole
 * to a destructuring pattern). Throws InvalidParams when they do not fit.
 */
export function bindParams(
  name: string,
  signature: Signature,
  params: readonly unknown[] | Record<string, unknown> | undefined,
): unknown[] {
  if (params === undefined) params = []
  if (Array.isArray(params)) {
    if (signature.unknown) return params
    const { names, required, rest } = signature
    if (!rest && params.length > names.length)
      throw new InvalidParams(
        undefined,
        `${name} takes at most ${names.length} params, ${params.length} given`,
      )
    if (params.length < required)
      throw new InvalidParams(
        undefined,
        `${name} takes at least ${required} params, ${params.length} given`,
      )
    return params
  }
  const named = params as Record<string, unknown>
  if (signature.unknown || signature.pattern) return [named]
  const { names, required, rest } = signature
  const nameable = rest ? names.length - 1 : names.length
  for (const key of Object.keys(named)) {
    const index = names.indexOf(key)
    if (index < 0 || index >= nameable || key === '')
      throw new InvalidParams(undefined, `${name} has no parameter "${key}"`)
  }
  const args: unknown[] = []
  for (let i = 0; i < nameable; i++) {
    const key = names[i]!
    const given = key !== '' && Object.hasOwn(named, key)
    if (!given && i < required)
      throw new InvalidParams(undefined, `${name} needs the parameter "${key}"`)
    args.push(given ? named[key] : undefined)
  }
  return args
}

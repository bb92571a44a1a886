/**
 * Route rules in pulsar's syntax (`/users/<int:id>`, `/files/<path:rest>`):
 * parsed once into the shape find-my-way matches and the converters that run
 * on what it matched; and built back into URLs.
 * @module
 */
import { type Converter, type ConverterArgs, converterFactory } from './converters.js'

/** A variable of a rule: its name and its converter. */
export interface RuleVariable {
  readonly name: string
  readonly converter: Converter
}

type Literal = string | number | boolean | null

const VARIABLE = /^<(?:([A-Za-z_]\w*)(?:\((.*)\))?:)?([A-Za-z_]\w*)>$/
// find-my-way reads these in a registered path; the request path is matched decoded
const RESERVED = /[*%?#]/

/** The full rule of a child: its rule is relative to its parent's, whatever its leading slash. */
export function joinRules(parent: string, child: string): string {
  if (child === '') return parent
  return parent.replace(/\/+$/, '') + '/' + child.replace(/^\/+/, '')
}

function parseLiteral(text: string): Literal {
  const value = text.trim()
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return Number(value)
  if (value === 'true' || value === 'True') return true
  if (value === 'false' || value === 'False') return false
  if (value === 'null' || value === 'None') return null
  const quoted = /^(["'])(.*)\1$/.exec(value)
  return quoted ? quoted[2]! : value
}

/** Splits `min=1, max=10` or `a, "b,c"` on the commas outside quotes. */
export function parseConverterArgs(text: string | undefined): ConverterArgs {
  const args: ConverterArgs = { positional: [], named: {} }
  if (text === undefined || text.trim() === '') return args
  const parts = text.match(/(?:"[^"]*"|'[^']*'|[^,])+/g) ?? []
  for (const part of parts) {
    const named = /^\s*([A-Za-z_]\w*)\s*=(.*)$/s.exec(part)
    if (named) {
      if (Object.hasOwn(args.named, named[1]!))
        throw new TypeError(`Converter argument ${named[1]} given twice`)
      args.named[named[1]!] = parseLiteral(named[2]!)
    } else if (Object.keys(args.named).length)
      throw new TypeError(`Positional converter argument ${part.trim()} after a named one`)
    else args.positional.push(parseLiteral(part))
  }
  return args
}

function converterOf(name: string, args: string | undefined, rule: string): Converter {
  const factory = converterFactory(name)
  if (factory === undefined)
    throw new TypeError(`Unknown converter ${JSON.stringify(name)} in rule ${rule}`)
  let converter: Converter
  try {
    converter = factory(parseConverterArgs(args))
  } catch (error) {
    throw new TypeError(`Rule ${rule}: ${(error as Error).message}`)
  }
  if (typeof converter?.toValue !== 'function' || typeof converter.toUrl !== 'function')
    throw new TypeError(`Rule ${rule}: the ${name} converter has no toValue() and toUrl()`)
  return converter
}

const NO_ARGS: Record<string, unknown> = Object.freeze({})

/**
 * A parsed rule. Variables take whole segments; `<path:...>` only the last.
 * Its `shape` is the find-my-way path, with variables named by position so
 * that rules of the same shape share one entry in the tree.
 */
export class Rule {
  /** The rule as written, slashes normalised: `/users/<int:id>`. */
  readonly rule: string
  /** The find-my-way path: `/users/:p0`. */
  readonly shape: string
  readonly variables: readonly RuleVariable[]
  /** The find-my-way parameter of each variable: `p0`, `p1`... or `*`. */
  readonly #keys: readonly string[]
  readonly #parts: readonly (string | RuleVariable)[]

  constructor(rule: string) {
    const normalised = '/' + rule.replace(/\/{2,}/g, '/').replace(/^\//, '')
    const segments = normalised.slice(1).split('/')
    const variables: RuleVariable[] = []
    const keys: string[] = []
    const parts: (string | RuleVariable)[] = []
    const shape: string[] = []
    segments.forEach((segment, index) => {
      const match = VARIABLE.exec(segment)
      if (!match) {
        if (segment.includes('<') || segment.includes('>'))
          throw new TypeError(
            `Malformed rule ${rule}: a variable is a whole segment, <converter(args):name>`,
          )
        if (RESERVED.test(segment))
          throw new TypeError(`Rule ${rule}: a static segment cannot contain * % ? or #`)
        parts.push(segment)
        // `::` is find-my-way's literal colon
        shape.push(segment.replaceAll(':', '::'))
        return
      }
      const [, converterName = 'string', args, name] = match as unknown as [
        string,
        string | undefined,
        string | undefined,
        string,
      ]
      if (variables.some((variable) => variable.name === name))
        throw new TypeError(`Rule ${rule} has the variable ${name} twice`)
      const converter = converterOf(converterName, args, rule)
      if (converter.rest && index !== segments.length - 1)
        throw new TypeError(`Rule ${rule}: <${converterName}:${name}> must be the last segment`)
      const variable = { name, converter }
      variables.push(variable)
      parts.push(variable)
      keys.push(converter.rest ? '*' : `p${keys.length}`)
      shape.push(converter.rest ? '*' : `:${keys.at(-1)!}`)
    })
    this.rule = normalised
    this.shape = '/' + shape.join('/')
    this.variables = variables
    this.#keys = keys
    this.#parts = parts
  }

  /** Whether the rule ends with `<path:...>`, which takes the rest of the path. */
  get isRest(): boolean {
    return this.variables.at(-1)?.converter.rest === true
  }

  /** The URL arguments of find-my-way's parameters, or `undefined` when one does not convert. */
  convert(
    params: Readonly<Record<string, string | undefined>>,
  ): Record<string, unknown> | undefined {
    const variables = this.variables
    // a rule without variables, the most common, shares one empty record
    if (variables.length === 0) return NO_ARGS
    const urlargs: Record<string, unknown> = {}
    for (let i = 0; i < variables.length; i++) {
      const variable = variables[i]!
      const value = variable.converter.toValue(params[this.#keys[i]!] ?? '')
      if (value === undefined) return undefined
      urlargs[variable.name] = value
    }
    return urlargs
  }

  /** The path of this rule for `urlargs`; throws a `TypeError` for a missing or invalid one. */
  url(urlargs: Readonly<Record<string, unknown>> = {}): string {
    let url = ''
    for (const part of this.#parts) {
      if (typeof part === 'string') url += '/' + encodeURI(part)
      else {
        if (!Object.hasOwn(urlargs, part.name) || urlargs[part.name] === undefined)
          throw new TypeError(`Missing URL argument ${JSON.stringify(part.name)} for ${this.rule}`)
        url += '/' + part.converter.toUrl(urlargs[part.name])
      }
    }
    return url || '/'
  }
}

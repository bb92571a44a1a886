/**
 * Route converters: the typed parts of a rule (`<int:id>`, `<float:x>`,
 * `<uuid:id>`, `<path:rest>`...). A converter turns the text find-my-way
 * matched into a value, and a value back into URL text. `addConverter`
 * adds one of your own.
 * @module
 */
import type { ConverterTypes } from './url-args.js'

/** Turns matched URL text into a value (of type `T`) and back. */
export interface Converter<T = unknown> {
  /** The converter's name, as written in rules. */
  readonly name: string
  /** Whether it takes the rest of the path, slashes included (only `path`). */
  readonly rest: boolean
  /** The value of matched text, or `undefined` when the text does not convert (a 404). */
  toValue(text: string): T | undefined
  /** The URL text of a value; throws a `TypeError` for a value the converter would not match. */
  toUrl(value: unknown): string
}

/** A converter's arguments as written in a rule: positional ones and named ones. */
export interface ConverterArgs {
  positional: (string | number | boolean | null)[]
  named: Record<string, string | number | boolean | null>
}

/** Builds a converter from its arguments; throws a `TypeError` for arguments it does not take. */
export type ConverterFactory<T = unknown> = (args: ConverterArgs) => Converter<T>

const DIGITS = /^\d+$/
const SIGNED_DIGITS = /^-?\d+$/
const DECIMAL = /^\d+(?:\.\d+)?$/
const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Reads the arguments a converter accepts, by position then by name; unknown ones throw. */
function options(
  converter: string,
  args: ConverterArgs,
  names: readonly string[],
): Record<string, string | number | boolean | null | undefined> {
  if (args.positional.length > names.length)
    throw new TypeError(`Converter ${converter} takes at most ${names.length} arguments`)
  const result: Record<string, string | number | boolean | null | undefined> = {}
  args.positional.forEach((value, i) => (result[names[i]!] = value))
  for (const [name, value] of Object.entries(args.named)) {
    if (!names.includes(name))
      throw new TypeError(`Converter ${converter} has no argument ${JSON.stringify(name)}`)
    result[name] = value
  }
  return result
}

function numberOption(converter: string, name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number')
    throw new TypeError(
      `Converter ${converter}: ${name} must be a number, not ${JSON.stringify(value)}`,
    )
  return value
}

function inRange(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max)
}

/** `<name>` or `<string(minlength=1, maxlength, length):name>`: one non-empty segment. */
const string: ConverterFactory = (args) => {
  const o = options('string', args, ['minlength', 'maxlength', 'length'])
  const length = numberOption('string', 'length', o.length)
  const min = length ?? numberOption('string', 'minlength', o.minlength) ?? 1
  const max = length ?? numberOption('string', 'maxlength', o.maxlength)
  const check = (text: string) => text.length >= Math.max(min, 1) && inRange(text.length, min, max)
  return {
    name: 'string',
    rest: false,
    toValue: (text) => (check(text) ? text : undefined),
    toUrl(value) {
      const text = String(value)
      if (!check(text) || text.includes('/'))
        throw new TypeError(`${JSON.stringify(text)} is not a valid string segment`)
      return encodeURIComponent(text)
    },
  }
}

/** `<path:rest>`: the rest of the path, slashes included, possibly empty. */
const path: ConverterFactory = (args) => {
  options('path', args, [])
  return {
    name: 'path',
    rest: true,
    toValue: (text) => text,
    toUrl: (value) => String(value).split('/').map(encodeURIComponent).join('/'),
  }
}

/** `<int(fixed_digits, min, max, signed=false):n>`: digits, converted to a safe integer. */
const int: ConverterFactory = (args) => {
  const o = options('int', args, ['fixed_digits', 'min', 'max', 'signed'])
  const digits = numberOption('int', 'fixed_digits', o.fixed_digits)
  const min = numberOption('int', 'min', o.min)
  const max = numberOption('int', 'max', o.max)
  const pattern = o.signed === true ? SIGNED_DIGITS : DIGITS
  const accepts = (value: number) => Number.isSafeInteger(value) && inRange(value, min, max)
  return {
    name: 'int',
    rest: false,
    toValue(text) {
      if (!pattern.test(text)) return undefined
      if (digits !== undefined && text.replace('-', '').length !== digits) return undefined
      const value = Number(text)
      return accepts(value) ? value : undefined
    },
    toUrl(value) {
      const number = typeof value === 'string' && pattern.test(value) ? Number(value) : value
      if (typeof number !== 'number' || !accepts(number))
        throw new TypeError(`${String(value)} is not a valid int for this route`)
      const text = String(Math.abs(number)).padStart(digits ?? 0, '0')
      if (digits !== undefined && text.length !== digits)
        throw new TypeError(`${String(value)} does not have ${digits} digits`)
      return number < 0 ? `-${text}` : text
    },
  }
}

/** `<float(min, max, signed=false):x>`: a decimal number, with or without a fraction. */
const float: ConverterFactory = (args) => {
  const o = options('float', args, ['min', 'max', 'signed'])
  const min = numberOption('float', 'min', o.min)
  const max = numberOption('float', 'max', o.max)
  const pattern = o.signed === true ? SIGNED_DECIMAL : DECIMAL
  const accepts = (value: number) => Number.isFinite(value) && inRange(value, min, max)
  return {
    name: 'float',
    rest: false,
    toValue(text) {
      if (!pattern.test(text)) return undefined
      const value = Number(text)
      return accepts(value) ? value : undefined
    },
    toUrl(value) {
      const text = String(value)
      if (typeof value !== 'number' || !accepts(value) || !pattern.test(text))
        throw new TypeError(`${text} is not a valid float for this route`)
      return text
    },
  }
}

/** `<uuid:id>`: an RFC 9562 UUID, given to the handler in lower case. */
const uuid: ConverterFactory = (args) => {
  options('uuid', args, [])
  return {
    name: 'uuid',
    rest: false,
    toValue: (text) => (UUID.test(text) ? text.toLowerCase() : undefined),
    toUrl(value) {
      const text = String(value)
      if (!UUID.test(text)) throw new TypeError(`${text} is not a UUID`)
      return text.toLowerCase()
    },
  }
}

/** `<any(json, xml, "a,b"):format>`: one of the listed values. */
const any: ConverterFactory = (args) => {
  if (Object.keys(args.named).length) throw new TypeError('Converter any takes no named arguments')
  const values = args.positional.map(String)
  if (values.length === 0) throw new TypeError('Converter any needs at least one value')
  return {
    name: 'any',
    rest: false,
    toValue: (text) => (values.includes(text) ? text : undefined),
    toUrl(value) {
      const text = String(value)
      if (!values.includes(text)) throw new TypeError(`${text} is not one of ${values.join(', ')}`)
      return encodeURIComponent(text)
    },
  }
}

/** The converters rules may name (looked up as own properties only); `default` is `string`. */
export const converters: Readonly<Record<string, ConverterFactory>> = Object.freeze({
  string,
  default: string,
  path,
  int,
  float,
  uuid,
  any,
})

const custom = new Map<string, ConverterFactory>()

/** The type of the values of the converter `name`, as `ConverterTypes` declares it. */
export type ConverterValue<N extends string> = N extends keyof ConverterTypes
  ? ConverterTypes[N]
  : unknown

/**
 * Adds a converter that rules made from now on may name (`<date:day>`).
 * Declare the type of its values by augmenting `ConverterTypes`; the
 * factory is checked against it. A name already taken throws a `TypeError`.
 */
export function addConverter<N extends string>(
  name: N,
  factory: ConverterFactory<ConverterValue<N>>,
): void {
  if (!/^[A-Za-z_]\w*$/.test(name))
    throw new TypeError(`${JSON.stringify(name)} is no converter name`)
  if (typeof factory !== 'function') throw new TypeError('A converter factory is a function')
  if (Object.hasOwn(converters, name) || custom.has(name))
    throw new TypeError(`There is a converter named ${name} already`)
  custom.set(name, factory)
}

/** The factory of the converter a rule names: a built-in one, else one added, else `undefined`. */
export function converterFactory(name: string): ConverterFactory | undefined {
  return Object.hasOwn(converters, name) ? converters[name] : custom.get(name)
}

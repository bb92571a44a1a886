/**
 * The URL arguments of a rule, read from the rule's text by the type
 * checker: `UrlArgsOf<'users/<int:id>'>` is `{ id: number }`. Types only:
 * nothing here runs, so typed routes cost nothing per request.
 * @module
 */

/** URL arguments by name: what `request.urlargs` holds when nothing more is known. */
export type UrlArgs = Record<string, unknown>

/**
 * The type of the values each converter gives, by its name in rules. A
 * custom converter declares its own by augmenting this interface:
 * `declare module 'pulsar-ts/router' { interface ConverterTypes { date: Date } }`.
 * A converter it does not list gives `unknown`.
 */
export interface ConverterTypes {
  string: string
  default: string
  path: string
  int: number
  float: number
  uuid: string
}

/** An object type as one flat object, for readable hovers. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {}

/**
 * The URL arguments of a rule: `<int:id>` and `<float:x>` give numbers,
 * `<path:p>`, `<uuid:u>` and `<name>` strings, `<any(a, b):k>` the union
 * `'a' | 'b'`. A rule only known as `string` gives `UrlArgs`; one whose
 * start is only known as `string` (a child of an untyped router) gives
 * `UrlArgs` with the arguments of the part that is known.
 */
export type UrlArgsOf<R extends string> = string extends R
  ? UrlArgs
  : Extract<Flat<Variables<R>>, UrlArgs> // a no-op that lets generic code see UrlArgs

/** Flattened for hovers, unless it has an index signature, which would swallow the known keys. */
type Flat<T> = string extends keyof T ? T : Simplify<T>

type Variables<R extends string> = R extends `${infer Head}/${infer Tail}`
  ? (string extends Head ? UrlArgs : Variable<Head>) & Variables<Tail>
  : Variable<R>

type Variable<Segment extends string> = Segment extends `<${infer Body}>` ? Declared<Body> : unknown

type Declared<Body extends string> = Body extends `${infer Name}(${infer Args}):${infer Key}`
  ? { [K in Key]: ValueOf<Name, Args> }
  : Body extends `${infer Name}:${infer Key}`
    ? { [K in Key]: ValueOf<Name, ''> }
    : { [K in Body]: string }

type ValueOf<Name extends string, Args extends string> = Name extends 'any'
  ? AnyValues<Trim<Args>>
  : Name extends keyof ConverterTypes
    ? ConverterTypes[Name]
    : unknown

type Trim<S extends string> = S extends ` ${infer T}`
  ? Trim<T>
  : S extends `${infer T} `
    ? Trim<T>
    : S

/** The values of `any(...)`, parsed as the rule's converter arguments are (quotes, commas inside quotes). */
type AnyValues<Args extends string> = Args extends `"${infer Quoted}"${infer Rest}`
  ? Quoted | AfterValue<Rest>
  : Args extends `'${infer Quoted}'${infer Rest}`
    ? Quoted | AfterValue<Rest>
    : Args extends `${infer Value},${infer Rest}`
      ? Bare<Trim<Value>> | AnyValues<Trim<Rest>>
      : Bare<Args>

type AfterValue<Rest extends string> =
  Trim<Rest> extends `,${infer Next}` ? AnyValues<Trim<Next>> : never

/** A bare value as the converter matches it: literals are read as the rule parser reads them. */
type Bare<Value extends string> = Value extends 'True' | 'true'
  ? 'true'
  : Value extends 'False' | 'false'
    ? 'false'
    : Value extends 'None' | 'null'
      ? 'null'
      : Value extends `${number}`
        ? `${number}`
        : Value

/**
 * Standard Schema: the small common interface that zod, valibot, arktype and
 * others implement (https://standardschema.dev). Its V1 types are written
 * here rather than imported from `@standard-schema/spec`, so the published
 * `.d.ts` files need no package at install time; a zod or valibot schema
 * satisfies them structurally. Also: a schema's issues in the plain form
 * that error pages and JSON-RPC errors carry.
 * @module
 */

/** A Standard Schema V1: a schema of any validation library (zod, valibot, arktype...). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>
}

/** What a Standard Schema carries under `~standard`. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1
  readonly vendor: string
  readonly validate: (
    value: unknown,
    options?: { readonly libraryOptions?: Record<string, unknown> | undefined },
  ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>
  readonly types?: { readonly input: Input; readonly output: Output } | undefined
  /**
   * Standard JSON Schema's converter, which zod (among others) implements:
   * how an OpenRPC document gets a schema's JSON Schema.
   */
  readonly jsonSchema?: StandardJsonSchemaConverter | undefined
}

/** Standard JSON Schema's converter (`~standard.jsonSchema`); it may throw for a schema JSON Schema cannot express. */
export interface StandardJsonSchemaConverter {
  readonly input: (options: { readonly target: string }) => Record<string, unknown>
  readonly output: (options: { readonly target: string }) => Record<string, unknown>
}

/** A validation's outcome: the (possibly transformed) value, or the issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> }

/** One problem a schema found, and where. */
export interface StandardSchemaIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** The type a schema accepts. */
export type SchemaInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input']

/** The type a schema gives once it accepted a value. */
export type SchemaOutput<S extends StandardSchemaV1> = NonNullable<
  S['~standard']['types']
>['output']

/** An issue as a client receives it: the message, and the path to the value (keys and indexes). */
export interface SchemaIssue {
  message: string
  path: (string | number)[]
}

/** The issues of a failed validation as plain JSON values, each path prefixed with `prefix`. */
export function plainIssues(
  issues: ReadonlyArray<StandardSchemaIssue>,
  prefix: readonly (string | number)[] = [],
): SchemaIssue[] {
  return issues.map(({ message, path = [] }) => ({
    message: String(message),
    path: [
      ...prefix,
      ...path.map((segment) => {
        const key = typeof segment === 'object' && segment !== null ? segment.key : segment
        return typeof key === 'number' ? key : String(key)
      }),
    ],
  }))
}

/** Whether a value is a Standard Schema (an object or, as arktype's are, a function). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const props = (value as Partial<StandardSchemaV1>)['~standard']
  return typeof props === 'object' && props !== null && typeof props.validate === 'function'
}

/**
 * The report of a suite: a table of medians across rounds with each
 * server's ratio to the baseline, then each target, met or MISSED. A ratio
 * is the median of the ratios of each round, where the servers ran one
 * after the other: the machine's drift from round to round (another
 * tenant's load halved every server in some rounds) cancels out.
 */
import type { Row, Sample } from './lib.js'

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** What a target compares. */
export type Measure = 'rate' | 'cpu' | 'alloc' | 'rss' | 'idle'

/**
 * One target: `{ of: ['pulsar', 'raw'], by: 'rate', atLeast: 1 }`. The
 * ratio is this server's over the baseline's, except by `cpu`, where it is
 * the baseline's CPU per request over this server's, so that above 1 means
 * "cheaper", as above 1 means "faster" by rate.
 */
export interface Target {
  of: [string, string]
  by: Measure
  atLeast?: number
  atMost?: number
}

const WHAT: Record<Measure, string> = {
  rate: 'by {unit}/s',
  cpu: 'by server CPU per {unit}',
  alloc: 'by heap bytes allocated per {unit}',
  rss: 'by RSS after the load',
  idle: 'by heap + external bytes per idle socket',
}

/** Prints each target as met or MISSED, given the ratio of two servers by a measure; whether all were met. */
export function judge(
  targets: readonly Target[],
  ratioOf: (numerator: string, denominator: string, by: Measure) => number,
  unit: string,
): boolean {
  let met = true
  for (const { of, by, atLeast, atMost } of targets) {
    const [numerator, denominator] = of
    const found = ratioOf(numerator, denominator, by)
    const ok =
      (atLeast === undefined || found >= atLeast) && (atMost === undefined || found <= atMost)
    met &&= ok
    const bound = atLeast === undefined ? `<= ${atMost!.toFixed(2)}` : `>= ${atLeast.toFixed(2)}`
    console.log(
      `${numerator} / ${denominator} = ${found.toFixed(2)} ${WHAT[by].replace('{unit}', unit)} ` +
        `(target ${bound})${ok ? ': met' : '  MISSED'}`,
    )
  }
  return met
}

const round = (value: number, digits = 0) =>
  Number.isNaN(value) ? '-' : digits ? value.toFixed(digits) : Math.round(value)

/** The median across rounds of `row`'s value over `base`'s in the same round. */
function paired(row: Row, base: Row, key: keyof Sample): number {
  return median(row.samples.map((sample, i) => sample[key] / base.samples[i]![key]))
}

/** The table (medians across rounds, ratios to the first server) and the targets. */
export function report(rows: Row[], unit: string, targets: readonly Target[] = []): boolean {
  const of = (row: Row, key: keyof Sample) => median(row.samples.map((sample) => sample[key]))
  const base = rows[0]!
  const by = (key: keyof Sample, row: Row) => round(paired(row, base, key), 2)
  const table = rows.map((row) => ({
    server: row.name,
    [`${unit}/s`]: round(of(row, 'rate')),
    [`x ${base.name}`]: by('rate', row),
    'p99 ms': round(of(row, 'p99'), 1),
    'bytes/resp': round(of(row, 'bytes')),
    [`cpu µs/${unit}`]: round(of(row, 'cpu'), 1),
    'cpu cost x': by('cpu', row),
    [`heap B/${unit}`]: round(of(row, 'alloc')),
    'heap x': by('alloc', row),
    'rss at start MB': round(row.rssAtStart / 2 ** 20, 1),
    'rss MB': round(of(row, 'rss') / 2 ** 20, 1),
    'rss x': by('rss', row),
    [`client cpu µs/${unit}`]: round(of(row, 'client'), 1),
  }))
  // what this load generator does not tell (p99, bytes, its own CPU) is left out
  for (const column of Object.keys(table[0]!) as (keyof (typeof table)[0])[])
    if (table.every((line) => line[column] === '-')) for (const line of table) delete line[column]
  console.log()
  console.table(table)
  const byName = new Map(rows.map((row) => [row.name, row]))
  const ratioOf = (numerator: string, denominator: string, measure: Measure) => {
    if (measure === 'idle') throw new Error("idle memory is the websocket-idle suite's own measure")
    const found = paired(byName.get(numerator)!, byName.get(denominator)!, measure)
    // by CPU, above 1 means cheaper: the baseline's cost over this server's
    return measure === 'cpu' ? 1 / found : found
  }
  const met = judge(targets, ratioOf, unit)
  console.log(
    'Absolute numbers drift between runs, more so on shared 2-core machines (server and load generator\n' +
      'compete for the cores): compare the ratios, medians of the ratios within each round.',
  )
  return met
}

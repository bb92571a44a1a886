/**
 * HTTP-dates (RFC 9110 §5.6.7): the three forms a recipient accepts, and
 * nothing else. `Date.parse` takes far more (`99999`, `2999`) and would make
 * a condition out of a malformed header, which RFC 9110 §13.1.3 says to ignore.
 * @module
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
const MONTH = `(${MONTHS.join('|')})`
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)'

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`)
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`)
// Sun Nov  6 08:49:37 1994
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d\\d) ${TIME} (\\d{4})$`)

/** The time an HTTP-date names, in milliseconds since the epoch; `undefined` for anything else. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  let match = IMF_FIXDATE.exec(value)
  if (match) return utc(+match[3]!, match[2]!, +match[1]!, match, 4)
  match = RFC_850.exec(value)
  if (match) return utc(twoDigitYear(+match[3]!), match[2]!, +match[1]!, match, 4)
  match = ASCTIME.exec(value)
  if (match) return utc(+match[6]!, match[1]!, +match[2]!, match, 3)
  return undefined
}

/** RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is of the past century. */
function twoDigitYear(year: number): number {
  const now = new Date().getUTCFullYear()
  const candidate = Math.floor(now / 100) * 100 + year
  return candidate > now + 50 ? candidate - 100 : candidate
}

function utc(
  year: number,
  month: string,
  day: number,
  match: RegExpExecArray,
  at: number,
): number | undefined {
  const [hours, minutes, seconds] = [+match[at]!, +match[at + 1]!, +match[at + 2]!]
  const index = MONTHS.indexOf(month)
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined
  const time = Date.UTC(year, index, day, hours, minutes, Math.min(seconds, 59))
  // a day the month does not have (31 Feb) rolls over: it is no date
  return new Date(time).getUTCDate() === day ? time : undefined
}

let dateSecond = -1
let dateText = ''

/**
 * The time now as an HTTP-date (IMF-fixdate), the value of a response's
 * `Date` (RFC 9110 §6.6.1); made once a second, as node:http makes its own.
 */
export function httpDate(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateText = new Date(second * 1000).toUTCString()
  }
  return dateText
}

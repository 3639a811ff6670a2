'use strict'

// Whether JavaScript's own `Date.parse` accepts a string (returns a number, not NaN): the rule of the
// deposit's `clientSecretExpiresAt` and of `x-mcp-date`.
//
// `Date.parse` is the contract, and it is most of a valid deposit's read. Most clients send the date as
// `Date#toISOString` writes it, so a string of ECMAScript's Date Time String Format (ECMA-262 §21.4.1.32)
// with legal values is answered without calling it: the specification requires `Date.parse` to accept
// every such string (§21.4.3.2), and for a four-digit year the time value is finite in any time zone. The
// expression only ever answers "accepted": every other string, including legal ones it leaves out (February
// 29th, hour 24, six-digit years), is `Date.parse`'s to judge. __test__/date.test.ts holds the two to that.

const DATE_PARSE = Date.parse
const NUMBER_IS_NAN = Number.isNaN
// Matched by the `exec` taken at load (lib/intrinsics.js): no later patch of RegExp.prototype answers for
// it. The expression never leaves this file (a caller holding it could `compile` it into another).
const { regexpMatches } = require('./intrinsics.js')

const MONTH_DAY = [
  '(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])', // every month has 28 days
  '(?:0[13-9]|1[0-2])-(?:29|30)', // every month but February has 30
  '(?:0[13578]|1[02])-31',
].join('|')
const TIME = `T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{3})?)?`
const OFFSET = `(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])`
const ISO_DATE = new RegExp(`^[0-9]{4}-(?:${MONTH_DAY})(?:${TIME}${OFFSET}?)?$`)

/** Whether `text` is of the ISO form this file answers without `Date.parse` (which accepts every one). */
function isIsoDate(text) {
  return regexpMatches(ISO_DATE, text)
}

/** True when `Date.parse(text)` is not NaN; `text` is a string primitive. */
function dateParses(text) {
  return isIsoDate(text) || !NUMBER_IS_NAN(DATE_PARSE(text))
}

module.exports = { dateParses, isIsoDate }

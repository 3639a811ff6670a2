'use strict'

// What the engine answers (src/validation.rs, `validateTape`), turned into zod's result: one string whose
// first code unit says what follows. 2: success, then `data` as instructions over the values the reader
// kept (core/src/validation/tape.rs, `encode_output`). 0 or 1: the issues (core/src/validation/issue.rs,
// `encode_issues`), 1 when they hold only outside NODE_ENV development and test.
//
// Decoding by known lengths is several times cheaper than JSON.parse, and assigning fields in the order
// they arrive gives zod's key order. This is also zod's finalize step for what only JavaScript can give:
// a recorded key (lone surrogates and all) and an object's received-type name, read here, after the walk
// and in issue order, as zod's `finalizeIssue` reads it.
const { issueConstants, issueFieldNames, tapeLayout } = require('../index.js')

const FIELD_NAMES = issueFieldNames()
const CONSTANTS = issueConstants()
const LAYOUT = tapeLayout()
const T = (name) => LAYOUT[`tag.${name}`]
const O = (name) => LAYOUT[`op.${name}`]
const STRING = T('STRING')
const NUMBER = T('NUMBER')
const TRUE = T('TRUE')
const FALSE = T('FALSE')
const NULL = T('NULL')
const ARRAY = T('ARRAY')
const INDEX = T('INDEX')
const CONSTANT = T('CONSTANT')
const RECORD = T('RECORD')
const TYPE_NAME = T('TYPE_NAME')
const CONCAT = T('CONCAT')
const OP_SAME = O('SAME')
const OP_UNDEFINED = O('UNDEFINED')
const OP_OBJECT = O('OBJECT')
const OP_ARRAY = O('ARRAY')
const OP_NAME = O('NAME')
const OP_KEY = O('KEY')

const OBJECT_PROTOTYPE = Object.prototype
const GET_PROTOTYPE_OF = Object.getPrototypeOf
const { defineData, FRESH, putIndex, storeSource, STRING_CHAR_CODE_AT, STRING_SLICE } = require('./intrinsics.js')
const NUMBER_OF = Number
const { compileFactory } = require('./reader.js')
/**
 * One store per issue field (`FIELD_STORES[code](issue, value)`), each under its literal name, so that it
 * stays monomorphic; defined instead where a fresh object inherits the name (see `defineData`).
 */
const FIELD_STORES = compileFactory(
  ['FRESH', 'defineData'],
  `'use strict'\nreturn [\n${FIELD_NAMES.map((name) => `(o, v) => { ${storeSource('o', JSON.stringify(name), 'v')} },`).join('\n')}\n]`,
  'mcp-oauth-credentials:issue-fields',
)(FRESH, defineData)
/** zod's en locale maps parsed types through an object literal (its prototype's names included). */
const TYPE_DICTIONARY = { nan: 'NaN' }

/** zod's `util.parsedType` of an object, then the en locale's dictionary and template conversion. */
function typeName(value) {
  let name = 'object'
  if (value && GET_PROTOTYPE_OF(value) !== OBJECT_PROTOTYPE && 'constructor' in value) {
    // zod reads `constructor` twice (`obj.constructor && obj.constructor.name`); once is enough.
    const constructor = value.constructor
    if (constructor) name = constructor.name
  }
  return `${TYPE_DICTIONARY[name] ?? name}`
}

function malformed() {
  return new Error('mcp-oauth-credentials: malformed engine answer (a bug: please report it)')
}

/** A cursor over one answer: a fresh one per decoding, so a setter that decodes again cannot disturb it. */
class Answer {
  // Fields, so defined: a setter planted on Object.prototype cannot swap the answer or the values.
  source
  at = 1
  values
  names

  constructor(source, values, names) {
    this.source = source
    this.values = values
    this.names = names
  }

  unit() {
    return STRING_CHAR_CODE_AT(this.source, this.at++)
  }

  u32() {
    const n = STRING_CHAR_CODE_AT(this.source, this.at) * 65536 + STRING_CHAR_CODE_AT(this.source, this.at + 1)
    this.at += 2
    return n
  }

  slice() {
    const length = this.u32()
    const text = STRING_SLICE(this.source, this.at, this.at + length)
    this.at += length
    return text
  }

  value() {
    switch (this.unit()) {
      case STRING:
        return this.slice()
      case NUMBER:
        return NUMBER_OF(this.slice())
      case TRUE:
        return true
      case FALSE:
        return false
      case NULL:
        return null
      case ARRAY: {
        const length = this.u32()
        const items = []
        for (let i = 0; i < length; i++) putIndex(items, i, this.value())
        return items
      }
      case INDEX:
        return this.u32()
      case CONSTANT:
        return CONSTANTS[this.unit()]
      case RECORD:
        return this.values[this.u32()]
      case TYPE_NAME:
        return typeName(this.values[this.u32()])
      case CONCAT: {
        const pieces = this.u32()
        let text = ''
        for (let i = 0; i < pieces; i++) text += this.value()
        return text
      }
      default:
        throw malformed()
    }
  }

  issues() {
    const count = this.u32()
    const issues = []
    for (let i = 0; i < count; i++) {
      const fields = this.unit()
      const issue = {}
      for (let f = 0; f < fields; f++) {
        const store = FIELD_STORES[this.unit()]
        if (store === undefined) throw malformed()
        store(issue, this.value())
      }
      putIndex(issues, i, issue)
    }
    return issues
  }

  /** `data`: fresh objects and arrays, the recorded values themselves everywhere else. */
  data() {
    switch (this.unit()) {
      case OP_SAME:
        return this.values[this.u32()]
      case OP_UNDEFINED:
        return undefined
      case OP_ARRAY: {
        const length = this.u32()
        const items = []
        for (let i = 0; i < length; i++) putIndex(items, i, this.data())
        return items
      }
      case OP_OBJECT: {
        const count = this.u32()
        const object = {}
        for (let i = 0; i < count; i++) {
          const tag = this.unit()
          let key
          if (tag === OP_NAME) key = this.names[this.u32()]
          else if (tag === OP_KEY) key = this.values[this.u32()]
          if (typeof key !== 'string') throw malformed()
          const value = this.data()
          // Assigned unless a fresh object inherits the name (see `defineData`, lib/intrinsics.js).
          if (key in FRESH) defineData(object, key, value)
          else object[key] = value
        }
        return object
      }
      default:
        throw malformed()
    }
  }
}

/** The first code unit of an answer: 2 means success, and `data` follows. */
const SUCCESS = 2
/** The whole answer when `data` is what the reader built. */
const AS_READ = '\u0003'
/** The first code unit of issues that hold only outside NODE_ENV development and test. */
const NODE_ENV_DEPENDENT = 1

/** The issues of an answer (its first unit is not SUCCESS). */
function decodeIssues(answer, values) {
  return new Answer(answer, values, null).issues()
}

/** The data of a successful answer that spells it out (first unit SUCCESS). */
function decodeData(answer, values, names) {
  return new Answer(answer, values, names).data()
}

module.exports = { decodeIssues, decodeData, AS_READ, SUCCESS, NODE_ENV_DEPENDENT }

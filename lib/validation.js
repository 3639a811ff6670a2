'use strict'

// compileSchema and depositCredentialsBodySchema: zod-compatible validators over JSON Schema documents.
// One read, one judge: lib/reader.js reads the input once, in zod's order, under a plan the addon derives
// from the compiled schema; the native engine (core/src/validation) judges what was read and writes every
// issue; lib/result.js builds zod's `data` from the values read, or finalizes the issues.

const { NativeValidator, validateTape } = require('../index.js')
const { argumentError } = require('./errors.js')
const { relaxedTokenEndpoints } = require('./guard.js')
const { Tape, compileReader } = require('./reader.js')
const { AS_READ, decodeData, decodeIssues, NODE_ENV_DEPENDENT, SUCCESS } = require('./result.js')
const { snapshotSchema, unescapeString } = require('./schema-document.js')
const { STRING_CHAR_CODE_AT } = require('./intrinsics.js')

const REFLECT_DEFINE_PROPERTY = Reflect.defineProperty

/** The error of a failed parse: `issues` as zod gives them, `message` = JSON.stringify(issues, null, 2). */
class ValidationError extends Error {
  // Fields are defined, not assigned (see lib/errors.js): a setter planted on Object.prototype never
  // takes the issues.
  name = 'ValidationError'
  issues

  constructor(issues) {
    super()
    this.issues = issues
  }

  /** Computed when read: most callers only look at `issues`. */
  get message() {
    return JSON.stringify(this.issues, null, 2)
  }

  /**
   * The stack of an error `safeParse` returned, which has no frames (see `ReturnedError`): its first line,
   * as an Error's with `Error.stackTraceLimit` 0. A thrown one has its own `stack`, which this never reads.
   */
  get stack() {
    return `${this.name}: ${this.message}`
  }

  /**
   * Assigning a stack (as error-wrapping code does) gives that error its own, as it would a native one;
   * quietly nothing where it cannot (a frozen error, the prototype itself, which keeps this accessor).
   */
  set stack(value) {
    if (this === ValidationError.prototype) return
    REFLECT_DEFINE_PROPERTY(this, 'stack', { __proto__: null, value, writable: true, enumerable: false, configurable: true })
  }
}

/**
 * The fields of the error `safeParse` returns. It is a value, not thrown, so it carries no stack trace:
 * capturing one (or even calling the Error constructor, which walks the stack whatever
 * `Error.stackTraceLimit` says) would cost more than the whole validation. So it is built as this class
 * builds an object, under `ValidationError` as `new.target`: an instance of ValidationError and of Error,
 * with ValidationError's prototype and the same own properties in the same order (`name`, `issues`), that
 * is not a native Error object (`util.types.isNativeError` says false). `parse` throws a real one, with a
 * stack.
 */
class ReturnedError {
  name = 'ValidationError'
  issues

  constructor(issues) {
    this.issues = issues
  }
}

const REFLECT_CONSTRUCT = Reflect.construct

function returnedError(issues) {
  return REFLECT_CONSTRUCT(ReturnedError, [issues], ValidationError)
}

class Validator {
  #reader
  #names
  /** The compiled schema's handle, which `validateTape` takes (src/raw.rs, `Owned`). */
  #handle
  #tape = new Tape()

  constructor(native, document) {
    const names = native.names.map(unescapeString)
    this.#reader = compileReader(JSON.parse(native.readPlan), names)
    this.#names = names
    this.#handle = native.handle()
    // As zod's: own functions bound to this validator (`const { safeParse } = schema` works), so none can
    // be called on another object.
    /** `{ success: true, data }` or `{ success: false, error }`, as zod's `safeParse`. */
    this.safeParse = (input) => this.#safeParse(input)
    /** The validated data, or throws the ValidationError. */
    this.parse = (input) => {
      const result = this.#safeParse(input)
      if (result.success) return result.data
      throw new ValidationError(result.error.issues)
    }
    /** Standard Schema v1. */
    this['~standard'] = Object.freeze({
      version: 1,
      vendor: 'mcp-oauth-credentials',
      validate: (value) => {
        const result = this.#safeParse(value)
        return result.success ? { value: result.data } : { issues: result.error.issues }
      },
    })
    /** The JSON Schema document this validator was compiled from (a frozen copy). */
    this.jsonSchema = document
    Object.freeze(this)
  }

  /**
   * The reader reads the input once; the engine judges what it read, in one call; `data` is built from the
   * values read.
   */
  #safeParse(input) {
    let tape = this.#tape
    if (tape.busy) tape = new Tape() // a getter of the input is validating something itself
    tape.busy = true
    try {
      const built = this.#reader.read(input, tape)
      let answer = validateTape(this.#handle, tape.text, tape.buffer, tape.used, false)
      // The strict rules refused a token endpoint for a reason development and test lift: only now does
      // NODE_ENV decide anything, so only now is it read (and the same record judged again if it relaxes).
      if (STRING_CHAR_CODE_AT(answer, 0) === NODE_ENV_DEPENDENT && relaxedTokenEndpoints()) {
        answer = validateTape(this.#handle, tape.text, tape.buffer, tape.used, true)
      }
      if (answer === AS_READ) return { success: true, data: built }
      if (STRING_CHAR_CODE_AT(answer, 0) === SUCCESS) return { success: true, data: decodeData(answer, tape.values, this.#names) }
      return { success: false, error: returnedError(decodeIssues(answer, tape.values)) }
    } finally {
      tape.clear()
      tape.busy = false
    }
  }
}

/**
 * Builds a validator from a JSON Schema (draft 2020-12) document. Throws a TypeError naming the keyword and
 * its JSON Pointer for anything the engine does not support.
 */
function compileSchema(schema) {
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    throw argumentError(TypeError, 'compileSchema: the schema must be a JSON Schema object or a boolean')
  }
  // One read of the document: a frozen copy, and its JSON text with every number exact (-0 included).
  const { copy, text } = snapshotSchema(schema)
  let native
  try {
    native = new NativeValidator(text)
  } catch (err) {
    throw argumentError(TypeError, `compileSchema: ${err.message}`)
  }
  return new Validator(native, copy)
}

const depositCredentialsBodySchema = compileSchema(require('../schemas/deposit-credentials-body.schema.json'))
const depositCredentialsBodyJsonSchema = depositCredentialsBodySchema.jsonSchema

/** Column lengths of ai_mcp_oauth_credentials, the same numbers the deposit schema enforces. */
const MCP_SERVER_ID_MAX_LENGTH = 255
const CLIENT_ID_MAX_LENGTH = 255
const TOKEN_ENDPOINT_MAX_LENGTH = 2048
const SCOPES_MAX_LENGTH = 2048
const TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH = 64
const TOKEN_ENDPOINT_AUTH_METHODS = Object.freeze(['client_secret_basic', 'client_secret_post', 'none'])

module.exports = {
  ValidationError,
  compileSchema,
  depositCredentialsBodySchema,
  depositCredentialsBodyJsonSchema,
  MCP_SERVER_ID_MAX_LENGTH,
  CLIENT_ID_MAX_LENGTH,
  TOKEN_ENDPOINT_MAX_LENGTH,
  SCOPES_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH,
  TOKEN_ENDPOINT_AUTH_METHODS,
}

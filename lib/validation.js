'use strict'

// compileSchema and depositCredentialsBodySchema: zod-compatible validators over JSON Schema documents.
// The engine is native (core/src/validation); this layer passes what belongs to the caller's realm
// (Object.prototype, for zod's "received" type names; Date.parse; NODE_ENV) and shapes results as zod does.

const { NativeValidator, validateTape } = require('../index.js')
const { argumentError } = require('./errors.js')
const { relaxedTokenEndpoints } = require('./guard.js')
const { compileFastPath, FAIL } = require('./fast-path.js')
const { compileRecorder, Recorder } = require('./tape.js')
const { decodeIssues } = require('./issues.js')

const OBJECT_PROTOTYPE = Object.prototype
const DATE_PARSE = Date.parse

/** The error of a failed parse: `issues` as zod gives them, `message` = JSON.stringify(issues, null, 2). */
class ValidationError extends Error {
  constructor(issues) {
    super()
    this.name = 'ValidationError'
    this.issues = issues
  }

  /** Computed when read: most callers only look at `issues`. */
  get message() {
    return JSON.stringify(this.issues, null, 2)
  }
}

/**
 * The error `safeParse` returns. It is a value, not thrown, so it carries no stack trace: capturing one
 * would cost more than the whole validation. `parse` throws an error with a stack.
 */
function returnedError(issues) {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new ValidationError(issues)
  } finally {
    Error.stackTraceLimit = limit
  }
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze(value[key])
    Object.freeze(value)
  }
  return value
}

class Validator {
  #native
  #fast
  #recorder
  #tape
  #slot
  #readsNodeEnv
  /** Where the live engine puts `data` on success (see NativeValidator#safeParse). */
  #box = [undefined]

  constructor(native, document) {
    this.#native = native
    this.#fast = compileFastPath(document)
    this.#recorder = compileRecorder(document)
    this.#tape = this.#recorder === null ? null : new Recorder()
    this.#slot = this.#recorder === null ? -1 : native.enableTape(this.#recorder.names)
    this.#readsNodeEnv = native.usesTokenEndpointGuard
    /** The JSON Schema document this validator was compiled from (a frozen copy). */
    this.jsonSchema = document
    Object.freeze(this)
  }

  /** `{ success: true, data }` or `{ success: false, error }`, as zod's `safeParse`. */
  safeParse(input) {
    if (this.#fast !== null) {
      const data = this.#fast(input)
      if (data !== FAIL) return { success: true, data }
    }
    if (this.#recorder !== null) {
      // Invalid, or not sure: record the input in JavaScript, then the engine decides from the record, and
      // writes zod's issues, in one call.
      let tape = this.#tape
      if (tape.busy) tape = new Recorder() // a getter of the input is validating something itself
      tape.busy = true
      let data
      let issues
      try {
        this.#recorder.record(input, tape)
        issues = validateTape(this.#slot, tape.text, tape.buffer, tape.used, false)
        // The strict rules refused a token endpoint for a reason development and test lift: only now does
        // NODE_ENV decide anything, so only now is it read (and the record validated again if it relaxes).
        if (issues !== undefined && issues.charCodeAt(0) === 1 && relaxedTokenEndpoints()) {
          issues = validateTape(this.#slot, tape.text, tape.buffer, tape.used, true)
        }
        if (issues === undefined) data = this.#recorder.data(tape)
      } finally {
        tape.clear()
        tape.busy = false
      }
      if (issues === undefined) return { success: true, data }
      return { success: false, error: returnedError(decodeIssues(issues)) }
    }
    // A schema the recorder does not cover: the engine reads the live input, once, so NODE_ENV first.
    const relaxed = this.#readsNodeEnv && relaxedTokenEndpoints()
    const box = this.#box
    const issues = this.#native.safeParse(input, relaxed, OBJECT_PROTOTYPE, DATE_PARSE, box)
    if (issues === undefined) {
      const data = box[0]
      box[0] = undefined
      return { success: true, data }
    }
    return { success: false, error: returnedError(decodeIssues(issues)) }
  }

  /** The validated data, or throws the ValidationError. */
  parse(input) {
    const result = this.safeParse(input)
    if (result.success) return result.data
    throw new ValidationError(result.error.issues)
  }

  /** Standard Schema v1. */
  get '~standard'() {
    return {
      version: 1,
      vendor: 'mcp-oauth-credentials',
      validate: (value) => {
        const result = this.safeParse(value)
        return result.success ? { value: result.data } : { issues: result.error.issues }
      },
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
  let text
  try {
    text = JSON.stringify(schema)
  } catch (err) {
    throw argumentError(TypeError, `compileSchema: the schema is not JSON (${err.message})`)
  }
  let native
  try {
    native = new NativeValidator(text)
  } catch (err) {
    throw argumentError(TypeError, `compileSchema: ${err.message}`)
  }
  return new Validator(native, deepFreeze(JSON.parse(text)))
}

const depositCredentialsBodyJsonSchema = deepFreeze(require('../schemas/deposit-credentials-body.schema.json'))
const depositCredentialsBodySchema = compileSchema(depositCredentialsBodyJsonSchema)

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

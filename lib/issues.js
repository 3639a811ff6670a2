'use strict'

// The engine's issues arrive as one string (core/src/validation/issue.rs, `encode_issues`): counts and
// lengths as two UTF-16 code units, strings as slices. Decoding by known lengths is several times cheaper
// than JSON.parse, and assigning the fields in the order they arrive gives zod's key order.
const { issueConstants, issueFieldNames } = require('../index.js')

const FIELD_NAMES = issueFieldNames()
const CONSTANTS = issueConstants()
const STRING = 0
const NUMBER = 1
const TRUE = 2
const FALSE = 3
const NULL = 4
const ARRAY = 5
const INDEX = 6
const CONSTANT = 7
let source = ''
let at = 0

function u32() {
  const n = source.charCodeAt(at) * 65536 + source.charCodeAt(at + 1)
  at += 2
  return n
}

function decodedValue() {
  switch (source.charCodeAt(at++)) {
    case STRING: {
      const length = u32()
      const text = source.slice(at, at + length)
      at += length
      return text
    }
    case NUMBER: {
      const length = u32()
      const text = source.slice(at, at + length)
      at += length
      return Number(text)
    }
    case TRUE:
      return true
    case FALSE:
      return false
    case NULL:
      return null
    case ARRAY: {
      const length = u32()
      const items = []
      for (let i = 0; i < length; i++) items.push(decodedValue())
      return items
    }
    case INDEX:
      return u32()
    case CONSTANT:
      return CONSTANTS[source.charCodeAt(at++)]
    default:
      throw new Error('mcp-oauth-credentials: malformed issue encoding (a bug: please report it)')
  }
}

/**
 * The issue objects of an encoded issue list, after its first code unit (the binding's NODE_ENV flag). No
 * user code runs while decoding, so one cursor serves.
 */
function decodeIssues(encoded) {
  // Assigning a field can run a setter someone put on Object.prototype, and that setter could decode
  // issues of its own: the cursor is saved and restored around each decoding.
  const outerSource = source
  const outerAt = at
  source = encoded
  at = 1
  try {
    const count = u32()
    const issues = []
    for (let i = 0; i < count; i++) {
      const fields = source.charCodeAt(at++)
      const issue = {}
      for (let f = 0; f < fields; f++) {
        const name = FIELD_NAMES[source.charCodeAt(at++)]
        issue[name] = decodedValue()
      }
      issues.push(issue)
    }
    return issues
  } finally {
    source = outerSource
    at = outerAt
  }
}

module.exports = { decodeIssues }

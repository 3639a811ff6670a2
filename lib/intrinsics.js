'use strict'

// Built-ins the package calls after load, taken when it loads, and the one rule for what it builds.
//
// Code loaded later can replace `Function.prototype.call`, the typed-array methods and getters, or plant
// setters on Object.prototype and Array.prototype; none of that may change a verdict, `data`, an issue, or
// see a plaintext (README, "Built-ins patched later"). So what is called is taken here, and called
// through `uncurry` (a `Function.prototype.call` bound now); and an object or array the package builds
// gets its properties assigned only where nothing it inherits could run, defined everywhere else.

const DEFINE_PROPERTY = Object.defineProperty

/** `f` called with its `this` as the first argument, through `Function.prototype.call` as it is now. */
const uncurry = (f) => Function.prototype.call.bind(f)

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype)
/** `%TypedArray%.prototype` getters and `set`, uncurried: a view's own `buffer` or `length` cannot lie. */
const TYPED_ARRAY_BUFFER = uncurry(Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'buffer').get)
const TYPED_ARRAY_LENGTH = uncurry(Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'length').get)
const TYPED_ARRAY_SET = uncurry(TYPED_ARRAY_PROTOTYPE.set)

/** `String.prototype` methods the package calls on strings of its own (the engine's answer, addresses). */
const STRING_CHAR_CODE_AT = uncurry(String.prototype.charCodeAt)
const STRING_INDEX_OF = uncurry(String.prototype.indexOf)
const STRING_SLICE = uncurry(String.prototype.slice)

/**
 * RegExp.prototype.exec as it is now, uncurried. Not `test`: `test` looks `exec` up on the expression at
 * each call, which finds a later `RegExp.prototype.exec`; `exec` itself reads only the expression's internal
 * slots and its own `lastIndex`.
 */
const REGEXP_EXEC = uncurry(RegExp.prototype.exec)

/**
 * Whether `expression` (one of the package's own, never handed out) matches `text`, by the `exec` taken at
 * load: nothing patched later answers for it.
 */
function regexpMatches(expression, text) {
  return REGEXP_EXEC(expression, text) !== null
}

/** What a fresh object inherits (this realm's Object.prototype chain). */
const FRESH = {}
/** What a fresh array inherits (Array.prototype, then Object.prototype). */
const FRESH_ARRAY = []

/**
 * An ordinary own property, made without running anything `object` inherits: for a key a fresh object
 * inherits, where assigning would run it instead (`__proto__` would set the prototype to a value the
 * caller chose; a setter planted on Object.prototype would take the value). The descriptor has no
 * prototype, so a `get` or `set` planted on Object.prototype is not read as its own.
 */
function defineData(object, key, value) {
  DEFINE_PROPERTY(object, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true })
}

/** `array[index] = value` on an array the package made, defined where a fresh array inherits the index. */
function putIndex(array, index, value) {
  if (index in FRESH_ARRAY) defineData(array, index, value)
  else array[index] = value
}

/**
 * The source text of `object[key] = value` on an object the package made (`key` is source text too),
 * defined where a fresh object inherits the key (see `defineData`). For generated code, which keeps each
 * store monomorphic under a literal key; the question is asked at each store, as Object.prototype can
 * change after the code was made.
 */
function storeSource(object, key, value) {
  return `if (${key} in FRESH) defineData(${object}, ${key}, ${value}); else ${object}[${key}] = ${value}`
}

module.exports = {
  uncurry,
  TYPED_ARRAY_BUFFER,
  TYPED_ARRAY_LENGTH,
  TYPED_ARRAY_SET,
  STRING_CHAR_CODE_AT,
  STRING_INDEX_OF,
  STRING_SLICE,
  regexpMatches,
  FRESH,
  FRESH_ARRAY,
  defineData,
  putIndex,
  storeSource,
}

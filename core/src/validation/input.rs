//! How the engine reads a value.
//!
//! zod reads JavaScript values with ordinary property access: `input[key]` (prototype chain, getters,
//! proxy traps), `key in input`, `for (const key in input)`, `input.length`. An implementation of
//! [`Input`] performs exactly those operations, in the order the engine asks for them, and reports a
//! JavaScript exception as its `Error` so that it propagates unchanged.

/// What kind of value this is, as `typeof` plus `Array.isArray` tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `undefined`
    Undefined,
    /// `null`
    Null,
    /// a boolean
    Boolean,
    /// a number, NaN and infinities included
    Number,
    /// a string
    String,
    /// a bigint
    BigInt,
    /// a symbol
    Symbol,
    /// a function (`typeof` is `"function"`: zod does not treat it as an object)
    Function,
    /// an array (`Array.isArray`)
    Array,
    /// any other object
    Object,
}

/// The `length` property of a value that is neither a string nor an array (zod's length checks read it
/// from anything not nullish).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LengthValue {
    /// `value.length` is `undefined`: the check does not run.
    Undefined,
    /// `value.length`, converted with JavaScript's `ToNumber` (NaN when it is not numeric).
    Number(f64),
}

/// Read access to a value under validation.
pub trait Input: Sized + Clone {
    /// A failure while reading (a JavaScript exception thrown by a getter or a proxy trap).
    type Error;

    /// The value's class. Must not run user code.
    fn class(&self) -> Class;
    /// The value of a boolean.
    fn boolean(&self) -> bool;
    /// The value of a number.
    fn number(&self) -> f64;
    /// A string's UTF-16 code units (zod measures lengths in UTF-16 code units).
    fn utf16(&self) -> Result<Vec<u16>, Self::Error>;
    /// Whether a string's UTF-16 code units are those of `text` (literal matching).
    fn equals(&self, text: &str) -> Result<bool, Self::Error> {
        Ok(text.encode_utf16().eq(self.utf16()?))
    }
    /// A string's length in UTF-16 code units.
    fn utf16_len(&self) -> Result<usize, Self::Error>;
    /// A string as Rust text, lone surrogates replaced by U+FFFD (what WHATWG URL parsing sees).
    fn text(&self) -> Result<String, Self::Error>;
    /// `value[key]`.
    fn get(&self, key: &str) -> Result<Self, Self::Error>;
    /// `key in value`.
    fn has(&self, key: &str) -> Result<bool, Self::Error>;
    /// `Object.prototype.hasOwnProperty.call(value, key)`.
    fn has_own(&self, key: &str) -> Result<bool, Self::Error>;
    /// The keys `for (const key in value)` visits, in that order.
    fn for_in_keys(&self) -> Result<Vec<String>, Self::Error>;
    /// An array's length.
    fn array_len(&self) -> Result<u32, Self::Error>;
    /// `value[index]` of an array.
    fn index(&self, index: u32) -> Result<Self, Self::Error>;
    /// `value.length` of an object or function.
    fn length_property(&self) -> Result<LengthValue, Self::Error>;
    /// zod's name for the received type of an object: its constructor's name when its prototype is not
    /// `Object.prototype`, else `object`.
    fn object_type_name(&self) -> Result<String, Self::Error>;
    /// JavaScript truthiness.
    fn truthy(&self) -> Result<bool, Self::Error>;
    /// `!Number.isNaN(Date.parse(value))` for a string value.
    fn date_parses(&self) -> Result<bool, Self::Error>;
}

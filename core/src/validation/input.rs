//! How the engine reads a value.
//!
//! zod reads JavaScript values with ordinary property access: `input[key]` (prototype chain, getters,
//! proxy traps), `key in input`, `for (const key in input)`, `input.length`. The binding does those reads
//! once, in JavaScript, in zod's order, and hands the engine what they returned (a tape, see
//! [`super::tape`]); [`super::JsonInput`] answers the same questions from a `serde_json` value for tests.
//! The engine therefore never reads anything twice and never runs user code: every answer here is a value
//! that was read before the engine started.

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

/// What a length check compares: `value.length` (zod's length checks read it from anything not nullish).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LengthValue {
    /// `value.length` is `undefined`: the check does not run.
    Undefined,
    /// `value.length`, converted as a relational comparison converts it (`Number(length)`; NaN when it
    /// is not numeric).
    Number(f64),
}

/// A declared property: its name, and its position in the schema's property list (the order it was
/// read in).
#[derive(Debug, Clone, Copy)]
pub struct Key<'k> {
    /// The property name.
    pub name: &'k str,
    /// Its position among the object schema's properties.
    pub at: usize,
}

/// A string the engine reports but does not need to read: given, or the recorded value of a record
/// (which keeps lone surrogates, and costs nothing to name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// The text itself.
    Owned(String),
    /// The string value recorded at this record of the tape.
    Record(u32),
}

/// zod's word for the received type of an object (`util.parsedType`): its constructor's name when its
/// prototype is not `Object.prototype`, else `object`. zod reads it when it formats the message, after
/// the whole walk, so a tape defers it to that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeName {
    /// Known now.
    Known(String),
    /// To be read from the recorded value of this record when the issue is finalized.
    Record(u32),
}

/// A key of `for…in` that the schema does not declare.
#[derive(Debug, Clone)]
pub struct Extra<I> {
    /// The key.
    pub key: Text,
    /// `value[key]`, where it was read.
    pub value: Option<I>,
    /// `key in value`, where it was asked.
    pub has: Option<bool>,
}

/// Read access to a value under validation.
pub trait Input: Sized + Clone {
    /// A question the input cannot answer (a malformed tape).
    type Error;

    /// The value's class.
    fn class(&self) -> Class;
    /// The value of a boolean.
    fn boolean(&self) -> bool;
    /// The value of a number.
    fn number(&self) -> f64;
    /// Whether a string's UTF-16 code units are those of `text` (literal matching).
    fn equals(&self, text: &str) -> Result<bool, Self::Error>;
    /// What WHATWG URL parsing made of a string (the token-endpoint rule): `None` when it refused it, else
    /// `protocol + hostname` as `URL` serializes them (`"https:idp.example.com"`; see
    /// [`crate::guard::check_parsed`]). For a tape, Node's own `new URL()` decided, when the reader read the
    /// value; for JSON, the url crate.
    /// `judge` is handed it (`None` when `new URL()` threw): a tape's is decoded on the stack, not into a
    /// `String`, as the guard judges one on every validation of a deposit.
    fn endpoint<R>(&self, judge: impl FnOnce(Option<&str>) -> R) -> Result<R, Self::Error>;
    /// `value[key]` for a declared property.
    fn get(&self, key: Key<'_>) -> Result<Self, Self::Error>;
    /// `key in value` for a declared property.
    fn has(&self, key: Key<'_>) -> Result<bool, Self::Error>;
    /// Whether a fresh object (`{}`) inherits a property named `key`, asked when `key in value` was false
    /// for a property that read as something (only a proxy can say so).
    fn inherited(&self, key: Key<'_>) -> Result<bool, Self::Error>;
    /// The keys `for (const key in value)` visits that `declared` does not accept, in that order, with
    /// `value[key]` and (when that is `undefined`) `key in value` where they were read (loose objects).
    fn extras(&self, declared: &dyn Fn(&str) -> bool) -> Result<Vec<Extra<Self>>, Self::Error>;
    /// How many items an array has (the items that were read).
    fn items(&self) -> Result<usize, Self::Error>;
    /// The `index`-th item of an array.
    fn item(&self, index: usize) -> Result<Self, Self::Error>;
    /// The length a length check compares: a string's UTF-16 length, an array's item count, or the
    /// `length` property of anything else.
    fn length(&self) -> Result<LengthValue, Self::Error>;
    /// zod's received-type word for an object.
    fn type_name(&self) -> Result<TypeName, Self::Error>;
    /// JavaScript truthiness.
    fn truthy(&self) -> Result<bool, Self::Error>;
    /// `!Number.isNaN(Date.parse(value))` for a string value.
    fn date_parses(&self) -> Result<bool, Self::Error>;
}

//! [`Input`] over a *tape*: the facts about a JavaScript value that the engine asks for, recorded by
//! JavaScript in one pass and handed over in one call.
//!
//! Why: reading a live JavaScript object from native code costs a Node-API call for every property get,
//! type check and string, and those calls, not the rules, were most of the cost of a validation. The
//! binding's recorder (`lib/tape.js`) walks the input under the same schema, performs exactly the reads
//! zod performs (`input[key]`, `key in input`, `for…in`, `value.length`, the received-type name), in the
//! same order, and writes what it saw into a `Float64Array` (numbers) and one string (text). The engine
//! then runs unchanged over [`TapeInput`]; every answer it gets was read once, by JavaScript.
//!
//! The recorder only records what this engine reads for *typed* schemas (every node has `type`, `enum`,
//! `const`, or is `true`/`false`/`{}`); untyped schemas keep the live reader. A question the tape has no
//! recorded answer for is a [`TapeError`], never a guess: it would mean the recorder and the engine
//! disagree about which reads happen.
//!
//! # Layout
//! Slots are `f64`. A record describes one value and starts with a header of [`HEADER`] slots:
//!
//! | slot | holds |
//! | --- | --- |
//! | 0 | the class ([`Class`] code, see [`class_code`]) |
//! | 1 | boolean 0/1, number value, string length in UTF-16 units, array length; else 0 |
//! | 2 | flags ([`flags`]) |
//! | 3, 4 | start and length in the text of the string's content, or of an object's received-type name |
//! | 5 | the `length` property (`ToNumber`), for an object or function under a length check |
//! | 6, 7 | where the children table starts, and how many entries it has |
//! | 8 | where the `for…in` list starts, or −1 |
//!
//! Children table: an object has one entry of 2 slots per property the schema declares, `[name, at]`
//! where `name` indexes the validator's property-name table and `at` is the child's record; an array has one slot per item, the item's record. The `for…in` list is
//! `[count, then count × (text start, text length, at)]`, the keys the object does not declare, with
//! `at` the record of `input[key]` for a loose object and −1 otherwise.

use std::cell::Cell;

use super::input::{Class, Input, LengthValue};

/// Slots in a record header.
pub const HEADER: usize = 9;

/// Bits of header slot 2.
pub mod flags {
    /// `Boolean(value)` (recorded for objects and bigints, whose truthiness JavaScript decides).
    pub const TRUTHY: u32 = 1;
    /// `Date.parse(value)` is not NaN (meaningful with [`DATE_KNOWN`]).
    pub const DATE_OK: u32 = 2;
    /// `Date.parse` was called on the value.
    pub const DATE_KNOWN: u32 = 4;
    /// `key in parent` (meaningful with [`HAS_KNOWN`]), for a property that read as `undefined`.
    pub const HAS: u32 = 8;
    /// `key in parent` was asked.
    pub const HAS_KNOWN: u32 = 16;
    /// Slots 3 and 4 hold a text span.
    pub const TEXT: u32 = 32;
    /// Slot 5 holds the `length` property.
    pub const LENGTH: u32 = 64;
    /// The `length` property was `undefined`.
    pub const LENGTH_UNDEFINED: u32 = 128;
}

/// The class codes of header slot 0, in the order of [`Class`].
pub fn class_code(class: Class) -> u32 {
    match class {
        Class::Undefined => 0,
        Class::Null => 1,
        Class::Boolean => 2,
        Class::Number => 3,
        Class::String => 4,
        Class::BigInt => 5,
        Class::Symbol => 6,
        Class::Function => 7,
        Class::Array => 8,
        Class::Object => 9,
    }
}

const CLASSES: [Class; 10] = [
    Class::Undefined,
    Class::Null,
    Class::Boolean,
    Class::Number,
    Class::String,
    Class::BigInt,
    Class::Symbol,
    Class::Function,
    Class::Array,
    Class::Object,
];

/// A question the tape cannot answer: the recorder did not record it, or the tape is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the validation tape has no {what} at slot {at}")]
pub struct TapeError {
    /// What was asked for.
    pub what: &'static str,
    /// The record (or slot) asked about.
    pub at: usize,
}

/// A recorded input: the slots, the text, and the validator's property names.
#[derive(Debug)]
pub struct Tape<'a> {
    slots: &'a [f64],
    text: &'a [u16],
    names: &'a [String],
    /// Where the next property lookup starts (a hint: any value is correct).
    next_entry: Cell<usize>,
    /// Where the next extra-key lookup starts (a hint, likewise).
    next_extra: Cell<usize>,
}

impl<'a> Tape<'a> {
    /// A tape over recorded slots and text; `names` is the property-name table the recorder indexed.
    pub fn new(slots: &'a [f64], text: &'a [u16], names: &'a [String]) -> Self {
        Tape {
            slots,
            text,
            names,
            next_entry: Cell::new(0),
            next_extra: Cell::new(0),
        }
    }

    /// The root value (the record at slot 0), or an error when the slots cannot hold one.
    pub fn root(&self) -> Result<TapeInput<'_>, TapeError> {
        if self.slots.len() < HEADER {
            return Err(TapeError {
                what: "root record",
                at: 0,
            });
        }
        Ok(TapeInput { tape: self, at: 0 })
    }

    fn slot(&self, at: usize, what: &'static str) -> Result<f64, TapeError> {
        self.slots.get(at).copied().ok_or(TapeError { what, at })
    }

    /// A slot that must hold a position or a count within the tape: a non-negative integer no larger than
    /// the tape itself, so that arithmetic on it cannot overflow.
    fn index(&self, at: usize, what: &'static str) -> Result<usize, TapeError> {
        let bound = self.slots.len().max(self.text.len());
        match self.length(at, what)? {
            n if n <= bound => Ok(n),
            _ => Err(TapeError { what, at }),
        }
    }

    /// A slot that must hold a length (of a string or an array, which the tape need not contain): a
    /// non-negative integer below 2^32.
    fn length(&self, at: usize, what: &'static str) -> Result<usize, TapeError> {
        let value = self.slot(at, what)?;
        // `as` saturates (NaN becomes 0), so the round trip holds exactly for the integers in range.
        let n = value as u32;
        if f64::from(n) == value {
            usize::try_from(n).map_err(|_| TapeError { what, at })
        } else {
            Err(TapeError { what, at })
        }
    }

    fn span(&self, record: usize, what: &'static str) -> Result<&'a [u16], TapeError> {
        let start = self.index(record + 3, what)?;
        let len = self.index(record + 4, what)?;
        start
            .checked_add(len)
            .and_then(|end| self.text.get(start..end))
            .ok_or(TapeError { what, at: record })
    }

    fn flags(&self, record: usize) -> u32 {
        // Flags are small integers; anything else reads as no flags.
        let value = self.slots.get(record + 2).copied().unwrap_or(0.0);
        let bits = value as u8;
        if f64::from(bits) == value {
            u32::from(bits)
        } else {
            0
        }
    }

    fn class(&self, record: usize) -> Class {
        let code = self.slots.get(record).copied().unwrap_or(f64::NAN);
        let index = code as u8;
        match CLASSES.get(usize::from(index)) {
            Some(class) if f64::from(index) == code => *class,
            // Unreachable for a tape the recorder wrote; `undefined` makes no check pass that should not.
            _ => Class::Undefined,
        }
    }

    /// Text as Rust text, lone surrogates replaced by U+FFFD. ASCII (URLs, names) is copied directly.
    fn string(&self, units: &[u16]) -> String {
        if units.iter().all(|&u| u < 0x80) {
            let bytes: Vec<u8> = units.iter().map(|&u| u as u8).collect();
            String::from_utf8(bytes).unwrap_or_default()
        } else {
            String::from_utf16_lossy(units)
        }
    }
}

/// One recorded value.
#[derive(Debug, Clone, Copy)]
pub struct TapeInput<'a> {
    tape: &'a Tape<'a>,
    at: usize,
}

impl<'a> TapeInput<'a> {
    fn missing(&self, what: &'static str) -> TapeError {
        TapeError { what, at: self.at }
    }

    fn payload(&self) -> f64 {
        self.tape.slots.get(self.at + 1).copied().unwrap_or(f64::NAN)
    }

    fn text_span(&self, what: &'static str) -> Result<&'a [u16], TapeError> {
        if self.tape.flags(self.at) & flags::TEXT == 0 {
            return Err(self.missing(what));
        }
        self.tape.span(self.at, what)
    }

    fn child(&self, at: usize) -> TapeInput<'a> {
        TapeInput { tape: self.tape, at }
    }

    /// The declared property `key`: its table entry's record, or `None` when the schema does not declare
    /// it (or the value is not a recorded object).
    fn declared(&self, key: &str) -> Result<Option<usize>, TapeError> {
        let tape = self.tape;
        let start = tape.index(self.at + 6, "children")?;
        let count = tape.index(self.at + 7, "children")?;
        // The engine asks for the properties in the order they were recorded: start after the last one found.
        let first = tape.next_entry.get().min(count);
        for entry in (first..count).chain(0..first) {
            let base = start + entry * 2;
            let name = tape.index(base, "property name")?;
            let known = tape.names.get(name).ok_or(TapeError {
                what: "property name",
                at: base,
            })?;
            if known == key {
                tape.next_entry.set(entry + 1);
                return Ok(Some(base));
            }
        }
        Ok(None)
    }

    /// An undeclared key of the `for…in` list whose value was recorded.
    ///
    /// The engine asks for the extra keys in list order, so the search starts after the last one found:
    /// one comparison per key, not a scan per key (a loose object with many extra keys stays linear). Keys
    /// are compared as the engine holds them, lone surrogates replaced by U+FFFD; where two keys differ
    /// only there, the list order (the cursor) decides, which is the order the engine asks in.
    fn extra(&self, key: &str) -> Result<Option<usize>, TapeError> {
        let tape = self.tape;
        let Some(list) = self.for_in_list()? else {
            return Ok(None);
        };
        let count = tape.index(list, "for…in list")?;
        let first = tape.next_extra.get().min(count);
        for entry in (first..count).chain(0..first) {
            let base = list + 1 + entry * 3;
            let start = tape.index(base, "for…in key")?;
            let len = tape.index(base + 1, "for…in key")?;
            let Some(text) = start.checked_add(len).and_then(|end| tape.text.get(start..end)) else {
                return Err(TapeError {
                    what: "for…in key",
                    at: base,
                });
            };
            let same = char::decode_utf16(text.iter().copied())
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .eq(key.chars());
            if same {
                tape.next_extra.set(entry + 1);
                return Ok(Some(base + 2));
            }
        }
        Ok(None)
    }

    fn for_in_list(&self) -> Result<Option<usize>, TapeError> {
        let at = self.tape.slot(self.at + 8, "for…in list")?;
        if at < 0.0 {
            Ok(None)
        } else {
            self.tape.index(self.at + 8, "for…in list").map(Some)
        }
    }

    /// The record an entry slot points at (−1: the value was not read).
    /// The record a pointer slot points at. The whole header must lie within the slots, so that a record
    /// reached this way never answers from past the end (see [`Tape::class`]).
    fn record_at(&self, slot: usize, what: &'static str) -> Result<TapeInput<'a>, TapeError> {
        let at = self.tape.index(slot, what)?;
        if at.checked_add(HEADER).is_some_and(|end| end <= self.tape.slots.len()) {
            Ok(self.child(at))
        } else {
            Err(TapeError { what, at: slot })
        }
    }
}

impl<'a> Input for TapeInput<'a> {
    type Error = TapeError;

    fn class(&self) -> Class {
        self.tape.class(self.at)
    }

    fn boolean(&self) -> bool {
        self.class() == Class::Boolean && self.payload() != 0.0
    }

    fn number(&self) -> f64 {
        if self.class() == Class::Number {
            self.payload()
        } else {
            f64::NAN
        }
    }

    fn utf16(&self) -> Result<Vec<u16>, TapeError> {
        Ok(self.text_span("string content")?.to_vec())
    }

    fn equals(&self, text: &str) -> Result<bool, TapeError> {
        Ok(text
            .encode_utf16()
            .eq(self.text_span("string content")?.iter().copied()))
    }

    fn utf16_len(&self) -> Result<usize, TapeError> {
        if self.class() != Class::String {
            return Err(self.missing("string length"));
        }
        self.tape.length(self.at + 1, "string length")
    }

    fn text(&self) -> Result<String, TapeError> {
        Ok(self.tape.string(self.text_span("string content")?))
    }

    fn get(&self, key: &str) -> Result<Self, TapeError> {
        if let Some(entry) = self.declared(key)? {
            return self.record_at(entry + 1, "property value");
        }
        match self.extra(key)? {
            Some(slot) => self.record_at(slot, "property value"),
            None => Err(self.missing("property")),
        }
    }

    fn has(&self, key: &str) -> Result<bool, TapeError> {
        let value = self.get(key)?;
        let bits = self.tape.flags(value.at);
        if bits & flags::HAS_KNOWN == 0 {
            return Err(value.missing("`in` answer"));
        }
        Ok(bits & flags::HAS != 0)
    }

    fn has_own(&self, _key: &str) -> Result<bool, TapeError> {
        // Only untyped schemas ask, and they are not recorded.
        Err(self.missing("own-property answer"))
    }

    fn for_in_keys(&self) -> Result<Vec<String>, TapeError> {
        let tape = self.tape;
        let list = self.for_in_list()?.ok_or_else(|| self.missing("for…in list"))?;
        let count = tape.index(list, "for…in list")?;
        let mut keys = Vec::with_capacity(count.min(4096));
        for entry in 0..count {
            let base = list + 1 + entry * 3;
            let start = tape.index(base, "for…in key")?;
            let len = tape.index(base + 1, "for…in key")?;
            let text = start
                .checked_add(len)
                .and_then(|end| tape.text.get(start..end))
                .ok_or(TapeError {
                    what: "for…in key",
                    at: base,
                })?;
            keys.push(tape.string(text));
        }
        Ok(keys)
    }

    fn array_len(&self) -> Result<u32, TapeError> {
        if self.class() != Class::Array {
            return Err(self.missing("array length"));
        }
        let len = self.tape.length(self.at + 1, "array length")?;
        u32::try_from(len).map_err(|_| self.missing("array length"))
    }

    fn index(&self, index: u32) -> Result<Self, TapeError> {
        let start = self.tape.index(self.at + 6, "items")?;
        let count = self.tape.index(self.at + 7, "items")?;
        let index = index as usize;
        if index >= count {
            return Err(self.missing("item"));
        }
        self.record_at(start + index, "item")
    }

    fn length_property(&self) -> Result<LengthValue, TapeError> {
        let bits = self.tape.flags(self.at);
        if bits & flags::LENGTH == 0 {
            return Err(self.missing("length property"));
        }
        if bits & flags::LENGTH_UNDEFINED != 0 {
            return Ok(LengthValue::Undefined);
        }
        Ok(LengthValue::Number(self.tape.slot(self.at + 5, "length property")?))
    }

    fn object_type_name(&self) -> Result<String, TapeError> {
        Ok(self.tape.string(self.text_span("received-type name")?))
    }

    fn truthy(&self) -> Result<bool, TapeError> {
        Ok(match self.class() {
            Class::Undefined | Class::Null => false,
            Class::Boolean => self.boolean(),
            Class::Number => {
                let n = self.payload();
                n != 0.0 && !n.is_nan()
            }
            Class::String => self.payload() > 0.0,
            Class::Symbol | Class::Function | Class::Array => true,
            Class::Object | Class::BigInt => self.tape.flags(self.at) & flags::TRUTHY != 0,
        })
    }

    fn date_parses(&self) -> Result<bool, TapeError> {
        let bits = self.tape.flags(self.at);
        if bits & flags::DATE_KNOWN == 0 {
            return Err(self.missing("Date.parse answer"));
        }
        Ok(bits & flags::DATE_OK != 0)
    }
}

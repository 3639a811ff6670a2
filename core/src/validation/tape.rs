//! [`Input`] over a *tape*: what the binding's reader (`lib/reader.js`) read of a JavaScript value, in one
//! pass, handed over in one call.
//!
//! Why: reading a live JavaScript object from native code costs a Node-API call for every property get,
//! type check and string. The reader instead walks the input under the schema's read plan
//! ([`super::plan`]), performs zod's reads in zod's order, once each, and writes what they returned; the
//! engine judges that record and never reads the input itself. `data` is then built, in JavaScript, from
//! the very values that were recorded ([`encode_output`]).
//!
//! Nothing on a tape is trusted: any code in the process can call the binding with a tape of its own.
//! [`Tape::parse`] checks a tape in one forward pass, with no pointers to follow: records are a preorder
//! stream, each child immediately after its parent or its previous sibling's subtree, so every record is
//! read once and the work is linear in the tape's length whatever it holds. A tape that does not parse,
//! or lacks an answer the engine asks for, is a [`TapeError`], never a guess.
//!
//! # Layout
//! Slots are `f64`s; text (string contents and keys) is one UTF-16 string read front to back. A record is
//! three slots, `[class, payload, flags]`, then one slot for each of these flags that is set, in this order:
//!
//! | flag | slot holds | and then |
//! | --- | --- | --- |
//! | [`flags::TEXT`] | the length of the value's text | the next that many code units of the text are it |
//! | [`flags::ENDPOINT`] | the length of what `new URL()` made of it | the next that many code units are `protocol + hostname` |
//! | [`flags::LENGTH`] | `Number(value.length)` | |
//! | [`flags::ITEMS`] | the number of item records | they follow, in index order |
//! | [`flags::PROPS`] | the number of property records | they follow, in the schema's property order |
//! | [`flags::EXTRAS`] | the number of undeclared `for…in` keys | one key record each (a string; the engine names it by its record, so its text need not be there), followed by its value's record when the key record has [`flags::VALUE`] |
//!
//! `class` is a [`Class`] code ([`class_code`]); `payload` is a boolean's 0/1, a number's value or a
//! string's length in UTF-16 code units. The other flags carry answers: `key in parent` ([`flags::HAS`]
//! under [`flags::HAS_KNOWN`]), `Date.parse` ([`flags::DATE_OK`] under [`flags::DATE_KNOWN`]), truthiness
//! of an object or bigint ([`flags::TRUTHY`]), a `length` that was `undefined` ([`flags::LENGTH_UNDEFINED`]).

use super::engine::{OutKey, Output};
use super::input::{Class, Extra, Input, Key, LengthValue, Text, TypeName};

/// Bits of a record's flags slot.
pub mod flags {
    crate::validation::named_constants! {
        u32;
        /// `Boolean(value)`, for objects and bigints, whose truthiness JavaScript decides.
        TRUTHY = 1;
        /// `Date.parse(value)` is not NaN (meaningful with [`DATE_KNOWN`]).
        DATE_OK = 2;
        /// `Date.parse` was called on the value.
        DATE_KNOWN = 4;
        /// `key in parent` (meaningful with [`HAS_KNOWN`]).
        HAS = 8;
        /// `key in parent` was asked.
        HAS_KNOWN = 16;
        /// A text length slot follows.
        TEXT = 32;
        /// A `length` slot follows.
        LENGTH = 64;
        /// `value.length` was read and was `undefined`.
        LENGTH_UNDEFINED = 128;
        /// An item count slot follows, and the items after the record's slots.
        ITEMS = 256;
        /// A property count slot follows, and the properties.
        PROPS = 512;
        /// An extra-key count slot follows, and the key records.
        EXTRAS = 1024;
        /// (A key record) the value's record follows it.
        VALUE = 2048;
        /// (A property whose `in` answer was false) a fresh object inherits a property of that name.
        INHERITED = 4096;
        /// `new URL(value)` was asked (the token-endpoint guard): a slot follows with the length of what it
        /// made of the value, `protocol + hostname`, the next that many code units of the text after the
        /// value's own text (0 when it threw).
        ENDPOINT = 8192;
        /// `new URL(value)` did not throw (meaningful with [`ENDPOINT`]).
        ENDPOINT_OK = 16384;
        /// Every flag.
        ALL = 32767;
    }
}

/// The longest `protocol + hostname` decoded on the stack (a DNS name is at most 253 octets).
const ENDPOINT_ON_STACK: usize = 320;

/// Slots in a record before its optional ones.
pub const HEADER: usize = 3;

/// The class codes of a record's first slot, in the order of [`Class`].
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

/// A tape that does not parse, or that lacks an answer the engine asks for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the validation tape has no {what} at record {at}")]
pub struct TapeError {
    /// What was asked for, or what was malformed.
    pub what: &'static str,
    /// The record (or, while parsing, the slot).
    pub at: usize,
}

/// One parsed record.
#[derive(Debug, Clone, Copy)]
struct Rec {
    class: Class,
    payload: f64,
    flags: u32,
    /// The text span (start, length) in code units.
    text: (u32, u32),
    /// The span of what `new URL()` made of the value.
    endpoint: (u32, u32),
    length: f64,
    items: u32,
    props: u32,
    extras: u32,
    /// Where this record's children start in [`Tape::kids`].
    kids: u32,
}

impl Rec {
    fn children(&self) -> u64 {
        u64::from(self.items)
            + u64::from(self.props)
            + u64::from(self.extras)
            + u64::from(self.flags & flags::VALUE != 0)
    }
}

/// The memory a [`Tape`] keeps its records in, handed back by [`Tape::into_buffers`] so that a caller
/// validating many inputs on one thread allocates it once. It holds the shape of what was recorded
/// (classes, numbers, lengths, never text), as the freed buffers of [`Tape::parse`] would.
#[derive(Default)]
pub struct TapeBuffers {
    recs: Vec<Rec>,
    kids: Vec<u32>,
    open: Vec<(u32, u32)>,
}

impl TapeBuffers {
    /// Empties the buffers and keeps their capacity.
    pub fn clear(&mut self) {
        self.recs.clear();
        self.kids.clear();
        self.open.clear();
    }
}

impl std::fmt::Debug for TapeBuffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What an input held is not for logs: sizes only.
        f.debug_struct("TapeBuffers")
            .field("records", &self.recs.len())
            .finish_non_exhaustive()
    }
}

/// A checked tape.
#[derive(Debug)]
pub struct Tape<'a> {
    text: &'a [u16],
    recs: Vec<Rec>,
    /// Each record's children's indices, grouped per parent (items, properties, then extra keys, then a
    /// key record's value): a parent's group is reserved when its counts are read, and its children
    /// fill it as they come.
    kids: Vec<u32>,
    /// The parse's stack, kept for [`Tape::into_buffers`].
    open: Vec<(u32, u32)>,
}

/// A slot that must hold a count or a length: a non-negative integer no larger than `bound`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "`as` saturates and the round trip back to f64 is checked"
)]
fn count(slots: &[f64], at: usize, bound: usize, what: &'static str) -> Result<u32, TapeError> {
    let value = *slots.get(at).ok_or(TapeError { what, at })?;
    // `as` saturates (NaN becomes 0), so the round trip holds exactly for the integers in range.
    let n = value as u32;
    if f64::from(n) == value && (n as usize) <= bound {
        Ok(n)
    } else {
        Err(TapeError { what, at })
    }
}

impl<'a> Tape<'a> {
    /// Parses and checks a tape: the slots and the text as the reader wrote them. One forward pass over
    /// each; the work and the memory are linear in their lengths.
    pub fn parse(slots: &[f64], text: &'a [u16]) -> Result<Self, TapeError> {
        Self::parse_in(slots, text, TapeBuffers::default()).map_err(|(err, _)| err)
    }

    /// [`Tape::parse`] in memory of an earlier tape's ([`Tape::into_buffers`]). A tape that does not parse
    /// hands the buffers back with the error.
    pub fn parse_in(
        slots: &[f64],
        text: &'a [u16],
        mut buffers: TapeBuffers,
    ) -> Result<Self, (TapeError, TapeBuffers)> {
        buffers.clear();
        let TapeBuffers {
            mut recs,
            mut kids,
            mut open,
        } = buffers;
        match Self::parse_into(slots, text, &mut recs, &mut kids, &mut open) {
            Ok(()) => Ok(Tape { text, recs, kids, open }),
            Err(err) => {
                // A refused tape may have announced far more children than it held records: the buffers
                // handed back for reuse keep no more than a tape of its records needs.
                if kids.capacity() > 4 * recs.len() + 1024 {
                    kids = Vec::new();
                }
                Err((err, TapeBuffers { recs, kids, open }))
            }
        }
    }

    /// The buffers of this tape, for the next [`Tape::parse_in`] (cleared there, or by the caller).
    pub fn into_buffers(self) -> TapeBuffers {
        TapeBuffers {
            recs: self.recs,
            kids: self.kids,
            open: self.open,
        }
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "`as` saturates and the round trip back to f64 is checked"
    )]
    fn parse_into(
        slots: &[f64],
        text: &'a [u16],
        recs: &mut Vec<Rec>,
        kids: &mut Vec<u32>,
        // Records still waiting for children: (the next of their slots in `kids` to fill, the end of them).
        open: &mut Vec<(u32, u32)>,
    ) -> Result<(), TapeError> {
        // Every record but the root fills one slot of its parent's in `kids`: no more slots can be
        // announced than there are records, which keeps `kids` linear in the tape whatever counts it holds.
        let max_records = slots.len() / HEADER;
        recs.reserve(max_records.min(1 << 16));
        let mut at = 0usize;
        let mut text_at = 0usize;
        loop {
            let here = at;
            let bad = move |what| TapeError { what, at: here };
            let head = slots.get(at..at + HEADER).ok_or(bad("record"))?;
            let code = head[0];
            let index = code as u8;
            let class = match CLASSES.get(usize::from(index)) {
                Some(class) if f64::from(index) == code => *class,
                _ => return Err(bad("class")),
            };
            let bits = head[2] as u32;
            if f64::from(bits) != head[2] || bits & !flags::ALL != 0 {
                return Err(bad("flags"));
            }
            let mut rec = Rec {
                class,
                payload: head[1],
                flags: bits,
                text: (0, 0),
                endpoint: (0, 0),
                length: f64::NAN,
                items: 0,
                props: 0,
                extras: 0,
                kids: 0,
            };
            let mut slot = at + HEADER;
            // A record is at least HEADER slots, so no count can exceed what is left divided by that.
            let room = slots.len().saturating_sub(slot) / HEADER;
            if bits & flags::TEXT != 0 {
                let len = count(slots, slot, text.len().saturating_sub(text_at), "text length")?;
                rec.text = (u32::try_from(text_at).map_err(|_| bad("text"))?, len);
                text_at += len as usize;
                slot += 1;
            }
            if bits & flags::ENDPOINT != 0 {
                let len = count(slots, slot, text.len().saturating_sub(text_at), "endpoint length")?;
                rec.endpoint = (u32::try_from(text_at).map_err(|_| bad("text"))?, len);
                text_at += len as usize;
                slot += 1;
            }
            if bits & flags::LENGTH != 0 {
                rec.length = *slots.get(slot).ok_or(bad("length"))?;
                slot += 1;
            }
            if bits & flags::ITEMS != 0 {
                rec.items = count(slots, slot, room, "item count")?;
                slot += 1;
            }
            if bits & flags::PROPS != 0 {
                rec.props = count(slots, slot, room, "property count")?;
                slot += 1;
            }
            if bits & flags::EXTRAS != 0 {
                rec.extras = count(slots, slot, room, "extra-key count")?;
                slot += 1;
            }
            let children = rec.children();
            let index = u32::try_from(recs.len()).map_err(|_| bad("record"))?;
            // This record is the next child of the innermost open record.
            if let Some((next, _)) = open.last_mut() {
                let kid = kids.get_mut(*next as usize).ok_or(bad("child"))?;
                *kid = index;
                *next += 1;
            }
            if children > 0 {
                let start = kids.len();
                let end = u64::try_from(start)
                    .ok()
                    .and_then(|start| start.checked_add(children))
                    .filter(|end| *end < max_records as u64)
                    .and_then(|end| u32::try_from(end).ok())
                    .ok_or(bad("child count"))?;
                rec.kids = u32::try_from(start).map_err(|_| bad("child count"))?;
                kids.resize(end as usize, 0);
                open.push((rec.kids, end));
            }
            recs.push(rec);
            at = slot;
            if children > 0 {
                continue;
            }
            // This record is complete: so is every open record whose last child's subtree it ends.
            while let Some(&(next, end)) = open.last() {
                if next < end {
                    break;
                }
                open.pop();
            }
            if open.is_empty() {
                // The root is complete: nothing may follow it.
                if at != slots.len() || text_at != text.len() {
                    return Err(bad("end of the tape"));
                }
                return Ok(());
            }
        }
    }

    /// How many records the tape holds.
    pub fn records(&self) -> usize {
        self.recs.len()
    }

    /// The root value.
    pub fn root(&self) -> TapeInput<'_> {
        TapeInput { tape: self, at: 0 }
    }
}

/// One recorded value.
#[derive(Debug, Clone, Copy)]
pub struct TapeInput<'a> {
    tape: &'a Tape<'a>,
    at: usize,
}

impl<'a> TapeInput<'a> {
    /// The record's index (what [`encode_output`] and the issue encoding name it by).
    pub fn record(&self) -> u32 {
        u32::try_from(self.at).unwrap_or(u32::MAX)
    }

    fn rec(&self) -> &'a Rec {
        // `at` always indexes a parsed record: the root, or a child found in `kids`.
        &self.tape.recs[self.at]
    }

    fn missing(&self, what: &'static str) -> TapeError {
        TapeError { what, at: self.at }
    }

    fn has_flag(&self, flag: u32) -> bool {
        self.rec().flags & flag != 0
    }

    /// The `n`-th child of the group that starts `skip` children in.
    fn kid(&self, skip: u64, n: u64, group: u32, what: &'static str) -> Result<TapeInput<'a>, TapeError> {
        if n >= u64::from(group) {
            return Err(self.missing(what));
        }
        let index = u64::from(self.rec().kids) + skip + n;
        let child = usize::try_from(index)
            .ok()
            .and_then(|i| self.tape.kids.get(i))
            .ok_or_else(|| self.missing(what))?;
        Ok(TapeInput {
            tape: self.tape,
            at: *child as usize,
        })
    }

    fn text_span(&self, what: &'static str) -> Result<&'a [u16], TapeError> {
        if !self.has_flag(flags::TEXT) {
            return Err(self.missing(what));
        }
        self.span(self.rec().text, what)
    }

    fn span(&self, (start, len): (u32, u32), what: &'static str) -> Result<&'a [u16], TapeError> {
        let (start, len) = (start as usize, len as usize);
        self.tape.text.get(start..start + len).ok_or_else(|| self.missing(what))
    }
}

impl<'a> Input for TapeInput<'a> {
    type Error = TapeError;

    fn class(&self) -> Class {
        self.rec().class
    }

    fn boolean(&self) -> bool {
        self.class() == Class::Boolean && self.rec().payload != 0.0
    }

    fn number(&self) -> f64 {
        if self.class() == Class::Number {
            self.rec().payload
        } else {
            f64::NAN
        }
    }

    fn equals(&self, text: &str) -> Result<bool, TapeError> {
        let span = self.text_span("string content")?;
        if text.is_ascii() {
            // One byte is one code unit, and ASCII holds no escape marker.
            return Ok(span.len() == text.len() && span.iter().zip(text.bytes()).all(|(&u, b)| u == u16::from(b)));
        }
        // A schema string may carry escaped lone surrogates (see `js_string`): compared as JavaScript would.
        Ok(super::js_string::units(text).eq(span.iter().copied()))
    }

    fn endpoint<R>(&self, judge: impl FnOnce(Option<&str>) -> R) -> Result<R, TapeError> {
        if !self.has_flag(flags::ENDPOINT) {
            return Err(self.missing("`new URL()` answer"));
        }
        if !self.has_flag(flags::ENDPOINT_OK) {
            return Ok(judge(None));
        }
        let units = self.span(self.rec().endpoint, "`new URL()` answer")?;
        // A URL serializes its protocol and hostname in ASCII, which is copied as it is; anything else came
        // from a forged tape, or is longer than any hostname, and is judged as it decodes.
        let mut ascii = [0u8; ENDPOINT_ON_STACK];
        if units.len() <= ENDPOINT_ON_STACK && units.iter().all(|&unit| unit < 0x80) {
            for (byte, &unit) in ascii.iter_mut().zip(units) {
                *byte = u8::try_from(unit).unwrap_or(b'?');
            }
            if let Some(text) = ascii
                .get(..units.len())
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
            {
                return Ok(judge(Some(text)));
            }
        }
        Ok(judge(Some(&String::from_utf16_lossy(units))))
    }

    fn get(&self, key: Key<'_>) -> Result<Self, TapeError> {
        let rec = self.rec();
        self.kid(u64::from(rec.items), key.at as u64, rec.props, "property")
    }

    fn has(&self, key: Key<'_>) -> Result<bool, TapeError> {
        let value = self.get(key)?;
        if !value.has_flag(flags::HAS_KNOWN) {
            return Err(value.missing("`in` answer"));
        }
        Ok(value.has_flag(flags::HAS))
    }

    fn inherited(&self, key: Key<'_>) -> Result<bool, TapeError> {
        Ok(self.get(key)?.has_flag(flags::INHERITED))
    }

    fn extras(&self, _declared: &dyn Fn(&str) -> bool) -> Result<Vec<Extra<Self>>, TapeError> {
        // The reader kept only the keys the schema does not declare.
        let rec = self.rec();
        let skip = u64::from(rec.items) + u64::from(rec.props);
        let mut out = Vec::with_capacity(rec.extras as usize);
        for n in 0..u64::from(rec.extras) {
            let key = self.kid(skip, n, rec.extras, "extra key")?;
            if key.class() != Class::String {
                return Err(key.missing("key"));
            }
            let value = if key.has_flag(flags::VALUE) {
                Some(key.kid(0, 0, 1, "extra value")?)
            } else {
                None
            };
            let has = key.has_flag(flags::HAS_KNOWN).then(|| key.has_flag(flags::HAS));
            out.push(Extra {
                key: Text::Record(key.record()),
                value,
                has,
            });
        }
        Ok(out)
    }

    fn items(&self) -> Result<usize, TapeError> {
        if !self.has_flag(flags::ITEMS) {
            return Err(self.missing("items"));
        }
        Ok(self.rec().items as usize)
    }

    fn item(&self, index: usize) -> Result<Self, TapeError> {
        self.kid(0, index as u64, self.rec().items, "item")
    }

    fn length(&self) -> Result<LengthValue, TapeError> {
        let rec = self.rec();
        if rec.class == Class::String {
            return Ok(LengthValue::Number(rec.payload));
        }
        if rec.class == Class::Array && self.has_flag(flags::ITEMS) {
            return Ok(LengthValue::Number(f64::from(rec.items)));
        }
        if self.has_flag(flags::LENGTH_UNDEFINED) {
            return Ok(LengthValue::Undefined);
        }
        if self.has_flag(flags::LENGTH) {
            return Ok(LengthValue::Number(rec.length));
        }
        Err(self.missing("length"))
    }

    fn type_name(&self) -> Result<TypeName, TapeError> {
        Ok(TypeName::Record(self.record()))
    }

    fn truthy(&self) -> Result<bool, TapeError> {
        let rec = self.rec();
        Ok(match rec.class {
            Class::Undefined | Class::Null => false,
            Class::Boolean => rec.payload != 0.0,
            Class::Number => rec.payload != 0.0 && !rec.payload.is_nan(),
            Class::String => rec.payload > 0.0,
            Class::Symbol | Class::Function | Class::Array => true,
            Class::Object | Class::BigInt => rec.flags & flags::TRUTHY != 0,
        })
    }

    fn date_parses(&self) -> Result<bool, TapeError> {
        if !self.has_flag(flags::DATE_KNOWN) {
            return Err(self.missing("Date.parse answer"));
        }
        Ok(self.has_flag(flags::DATE_OK))
    }
}

/// Tags of [`encode_output`].
pub mod ops {
    crate::validation::named_constants! {
        u16;
        /// The value of a record: its number (two code units).
        SAME = 0;
        /// `undefined`
        UNDEFINED = 1;
        /// A fresh object: its entry count (two units), then per entry its key ([`NAME`] or [`KEY`]) and value.
        OBJECT = 2;
        /// A fresh array: its length (two units), then its items.
        ARRAY = 3;
        /// A declared property's name: its index in the schema's names (two units).
        NAME = 4;
        /// An undeclared key: the number of its key record (two units).
        KEY = 5;
    }
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "the encoding writes u32s as two u16 halves"
)]
fn push_u32(out: &mut Vec<u16>, n: u32) {
    out.push((n >> 16) as u16);
    out.push(n as u16);
}

/// `data` as instructions for the binding, which builds it from the values it recorded: fresh objects and
/// arrays where zod builds them, the recorded value itself everywhere else.
pub fn encode_output(output: &Output<'_, TapeInput<'_>>, out: &mut Vec<u16>) {
    match output {
        Output::Same(value) => {
            out.push(ops::SAME);
            push_u32(out, value.record());
        }
        Output::Undefined => out.push(ops::UNDEFINED),
        Output::Array(items) => {
            out.push(ops::ARRAY);
            push_u32(out, u32::try_from(items.len()).unwrap_or(u32::MAX));
            for item in items {
                encode_output(item, out);
            }
        }
        Output::Object(entries) => {
            out.push(ops::OBJECT);
            push_u32(out, u32::try_from(entries.len()).unwrap_or(u32::MAX));
            for (key, value) in entries {
                match key {
                    OutKey::Declared(_, id) => {
                        out.push(ops::NAME);
                        push_u32(out, *id);
                    }
                    OutKey::Extra(Text::Record(at)) => {
                        out.push(ops::KEY);
                        push_u32(out, *at);
                    }
                    // A tape's extra keys are records; an owned key cannot reach here.
                    OutKey::Extra(Text::Owned(_)) => out.push(ops::UNDEFINED),
                }
                encode_output(value, out);
            }
        }
    }
}

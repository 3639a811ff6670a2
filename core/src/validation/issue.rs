//! The issue model: zod 4.3.6's issues, field for field.
//!
//! zod builds an issue as an object literal, then `finalizeIssue` spreads it, appends `path` (when the
//! issue did not carry one already), appends `message`, and deletes `input`, `inst` and `continue`. The
//! resulting key order is visible to clients through `error.message` (`JSON.stringify(issues, null, 2)`),
//! so [`Issue::fields`] reproduces it for every kind.

use std::borrow::Cow;

use smallvec::{smallvec, SmallVec};

use super::input::{Text, TypeName};
use super::number::js_number_to_string;

/// One step of an issue's path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// A property name.
    Key(String),
    /// An array index (a number in JavaScript).
    Index(u32),
}

/// A primitive JSON value, as `enum` and `const` hold them.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// a number
    Number(f64),
    /// a string
    String(String),
}

impl Literal {
    /// zod's `stringifyPrimitive`: strings in double quotes (not escaped), the rest as `String(value)`.
    fn stringify(&self) -> String {
        match self {
            Literal::Null => "null".to_owned(),
            Literal::Bool(b) => b.to_string(),
            Literal::Number(n) => js_number_to_string(*n),
            Literal::String(s) => format!("\"{s}\""),
        }
    }
}

/// What a length or size issue measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// a string's length
    String,
    /// an array's length
    Array,
    /// a number's value
    Number,
    /// an integer's value (the safe-integer range check)
    Int,
    /// the `length` property of something else (zod's length checks run on any value with one)
    Unknown,
}

impl Origin {
    /// The word zod uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::String => "string",
            Origin::Array => "array",
            Origin::Number => "number",
            Origin::Int => "int",
            Origin::Unknown => "unknown",
        }
    }

    /// `(verb, unit)` for origins zod measures by size.
    fn sizing(self) -> Option<&'static str> {
        match self {
            Origin::String => Some("characters"),
            Origin::Array => Some("items"),
            _ => None,
        }
    }
}

/// How a custom issue was raised, which decides where zod puts `path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomStyle {
    /// `.refine(fn, { message, path })`: `{ code, path, message }`.
    Refine,
    /// `.superRefine((v, ctx) => ctx.addIssue({ code: 'custom', message }))`: `{ code, message, path }`.
    SuperRefine,
}

/// The kind of an issue and its extra fields.
#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    /// `invalid_type`. `format` is `safeint` for a non-integer given to an integer schema; `received` is
    /// `NaN` or `Infinity` for those numbers.
    InvalidType {
        /// `string`, `number`, `int`, `boolean`, `null`, `array`, `object`, `never`
        expected: &'static str,
        /// zod's `format` field
        format: Option<&'static str>,
        /// zod's `received` field (only for NaN and infinities)
        received: Option<&'static str>,
        /// the received type, as the message words it
        parsed: Parsed,
    },
    /// `invalid_type` with `expected: 'nonoptional'`: a required property with an unconstrained schema
    /// is missing (zod's `z.unknown().nonoptional()`).
    NonOptional,
    /// `too_small`; `safe_int_note` marks zod's safe-integer range check, which words it differently.
    TooSmall {
        /// what was measured
        origin: Origin,
        /// the bound
        minimum: f64,
        /// the safe-integer check's `note`
        safe_int_note: bool,
    },
    /// `too_big`
    TooBig {
        /// what was measured
        origin: Origin,
        /// the bound
        maximum: f64,
        /// the safe-integer check's `note`
        safe_int_note: bool,
    },
    /// `unrecognized_keys`
    UnrecognizedKeys {
        /// the keys, in `for…in` order
        keys: Vec<Text>,
    },
    /// `invalid_value` (enum and const)
    InvalidValue {
        /// the allowed values
        values: Vec<Literal>,
    },
    /// `custom`
    Custom {
        /// where `path` goes
        style: CustomStyle,
        /// the message the refinement gives
        message: String,
    },
}

/// zod's `util.parsedType` of the value an `invalid_type` issue is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A word known from the value's class (`number`, `undefined`, `array`, …).
    Word(&'static str),
    /// An object's type name, which may be read only when the issue is finalized.
    Object(TypeName),
}

/// A piece of a message: text, or a recorded value the binding fills in when it finalizes the issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// The string value of a record (a key, lone surrogates kept).
    Record(u32),
    /// The received-type name of a record's object, read when the issue is finalized.
    TypeName(u32),
}

/// One issue: a kind and a path. The message is chosen from them when the issue is finalized
/// ([`Issue::message`]), as zod's `finalizeIssue` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The kind and its extra fields.
    pub kind: IssueKind,
    /// Where in the input.
    pub path: Vec<PathSeg>,
}

/// A field value of an issue, for the bindings to turn into JavaScript.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    /// a string
    Str(&'a str),
    /// a number
    Number(f64),
    /// a boolean
    Bool(bool),
    /// the path array
    Path(&'a [PathSeg]),
    /// an array of keys
    Keys(&'a [Text]),
    /// the message
    Message(&'a Issue),
    /// an array of primitives
    Literals(&'a [Literal]),
}

const SAFE_INT_NOTE: &str = "Integers must be within the safe integer range.";

impl Issue {
    /// zod's `code`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            IssueKind::InvalidType { .. } | IssueKind::NonOptional => "invalid_type",
            IssueKind::TooSmall { .. } => "too_small",
            IssueKind::TooBig { .. } => "too_big",
            IssueKind::UnrecognizedKeys { .. } => "unrecognized_keys",
            IssueKind::InvalidValue { .. } => "invalid_value",
            IssueKind::Custom { .. } => "custom",
        }
    }

    /// Whether later checks still run after this issue (zod's `continue: true`). Type, value and key
    /// issues abort; size and custom issues do not.
    pub fn continues(&self) -> bool {
        matches!(
            self.kind,
            IssueKind::TooSmall { .. } | IssueKind::TooBig { .. } | IssueKind::Custom { .. }
        )
    }

    /// The issue's fields in zod's order.
    pub fn fields(&self) -> Fields<'_> {
        use FieldValue as F;
        let code = ("code", F::Str(self.code()));
        let path = ("path", F::Path(&self.path));
        let message = ("message", F::Message(self));
        match &self.kind {
            IssueKind::InvalidType {
                expected,
                format,
                received,
                ..
            } => {
                let mut fields = Fields::new();
                fields.push(("expected", F::Str(expected)));
                if let Some(format) = format {
                    fields.push(("format", F::Str(format)));
                }
                fields.push(code);
                if let Some(received) = received {
                    fields.push(("received", F::Str(received)));
                }
                fields.extend([path, message]);
                fields
            }
            IssueKind::NonOptional => smallvec![code, ("expected", F::Str("nonoptional")), path, message],
            IssueKind::TooSmall {
                origin,
                minimum,
                safe_int_note,
            } => bound_fields(code, ("minimum", *minimum), *origin, *safe_int_note, path, message),
            IssueKind::TooBig {
                origin,
                maximum,
                safe_int_note,
            } => bound_fields(code, ("maximum", *maximum), *origin, *safe_int_note, path, message),
            IssueKind::UnrecognizedKeys { keys } => smallvec![code, ("keys", F::Keys(keys)), path, message],
            IssueKind::InvalidValue { values } => smallvec![code, ("values", F::Literals(values)), path, message],
            IssueKind::Custom {
                style: CustomStyle::Refine,
                ..
            } => smallvec![code, path, message],
            IssueKind::Custom {
                style: CustomStyle::SuperRefine,
                ..
            } => smallvec![code, message, path],
        }
    }

    /// zod's English message (its `en` locale), or the refinement's own: the one finalize step. The
    /// pieces go to `sink` in order (a message can name millions of recorded keys: none is collected).
    /// Fixed words go as borrowed pieces, with no string built for them: the encoder joins adjacent text.
    pub fn message_pieces(&self, sink: &mut dyn FnMut(Piece<'_>)) {
        let mut text = |s: String| sink(Piece::Str(Cow::Owned(s)));
        match &self.kind {
            IssueKind::InvalidType { expected, parsed, .. } => {
                for piece in messages::invalid_type_prefix(expected) {
                    sink(Piece::Str(Cow::Borrowed(piece)));
                }
                match parsed {
                    Parsed::Word(word) => sink(Piece::Str(Cow::Borrowed(word))),
                    Parsed::Object(TypeName::Known(name)) => sink(Piece::Str(Cow::Borrowed(name))),
                    Parsed::Object(TypeName::Record(at)) => sink(Piece::TypeName(*at)),
                }
            }
            IssueKind::NonOptional => sink(Piece::Str(Cow::Borrowed(
                "Invalid input: expected nonoptional, received undefined",
            ))),
            IssueKind::TooSmall { origin, minimum, .. } => text(messages::too_small(*origin, *minimum)),
            IssueKind::TooBig { origin, maximum, .. } => text(messages::too_big(*origin, *maximum)),
            IssueKind::UnrecognizedKeys { keys } => messages::unrecognized_keys(keys, sink),
            IssueKind::InvalidValue { values } => text(messages::invalid_value(values)),
            IssueKind::Custom { message, .. } => sink(Piece::Str(Cow::Borrowed(message))),
        }
    }

    /// The message as text, recorded values written as `<record N>` and `<type of record N>` (for tests
    /// and Rust callers, whose inputs never defer anything).
    pub fn message(&self) -> String {
        let mut out = String::new();
        self.message_pieces(&mut |piece| match piece {
            Piece::Str(s) => out.push_str(&s),
            Piece::Record(at) => out.push_str(&format!("<record {at}>")),
            Piece::TypeName(at) => out.push_str(&format!("<type of record {at}>")),
        });
        out
    }
}

type Field<'a> = (&'static str, FieldValue<'a>);

/// An issue's fields in zod's order: at most seven, kept inline (one allocation less per issue encoded).
pub type Fields<'a> = SmallVec<[Field<'a>; 7]>;

/// `too_small` / `too_big` fields. A schema's own bound check builds `{ origin, code, bound, inclusive }`;
/// zod's safe-integer check builds `{ code, bound, note, origin, inclusive }`.
fn bound_fields<'a>(
    code: Field<'a>,
    (name, bound): (&'static str, f64),
    origin: Origin,
    safe_int_note: bool,
    path: Field<'a>,
    message: Field<'a>,
) -> Fields<'a> {
    let origin = ("origin", FieldValue::Str(origin.as_str()));
    let bound = (name, FieldValue::Number(bound));
    let inclusive = ("inclusive", FieldValue::Bool(true));
    if safe_int_note {
        smallvec![
            code,
            bound,
            ("note", FieldValue::Str(SAFE_INT_NOTE)),
            origin,
            inclusive,
            path,
            message,
        ]
    } else {
        smallvec![origin, code, bound, inclusive, path, message]
    }
}

/// The names of issue fields, in the order of their codes in [`encode_issues`]'s output. The binding hands
/// this list to JavaScript once, so the two sides cannot disagree about it.
pub const FIELD_NAMES: [&str; 13] = [
    "code",
    "expected",
    "format",
    "received",
    "path",
    "message",
    "minimum",
    "maximum",
    "note",
    "origin",
    "inclusive",
    "keys",
    "values",
];

/// Value tags of [`encode_issues`]'s output.
pub mod tags {
    crate::validation::named_constants! {
        u16;
        /// A string: its length as two code units (high, low), then its UTF-16 code units.
        STRING = 0;
        /// A number: its JavaScript text (`String(n)`) as a [`STRING`] without the tag.
        NUMBER = 1;
        /// `true`
        TRUE = 2;
        /// `false`
        FALSE = 3;
        /// `null`
        NULL = 4;
        /// An array: its length as two code units, then its values.
        ARRAY = 5;
        /// An array index: two code units (high, low).
        INDEX = 6;
        /// One of [`super::CONSTANTS`]: its index (one code unit). JavaScript keeps the strings, so the words
        /// every issue repeats are not sliced out anew each time.
        CONSTANT = 7;
        /// The string value of a record of the tape: the record's number as two code units.
        RECORD = 8;
        /// The received-type name of a record's object, read when the issue is decoded: two code units.
        TYPE_NAME = 9;
        /// A string in pieces: the piece count (two units), then each piece ([`STRING`], [`RECORD`] or
        /// [`TYPE_NAME`]), joined.
        CONCAT = 10;
    }
}

/// The fixed words of issue fields (codes, expected and received types, origins), sent by index.
pub const CONSTANTS: [&str; 21] = [
    "invalid_type",
    "too_small",
    "too_big",
    "unrecognized_keys",
    "invalid_value",
    "custom",
    "string",
    "number",
    "int",
    "boolean",
    "null",
    "array",
    "object",
    "never",
    "nonoptional",
    "safeint",
    "NaN",
    "Infinity",
    "unknown",
    SAFE_INT_NOTE,
    "bigint",
];

/// A string's index in [`CONSTANTS`], if it is one of them (a test checks the two agree).
fn constant_code(s: &str) -> Option<u16> {
    Some(match s {
        "invalid_type" => 0,
        "too_small" => 1,
        "too_big" => 2,
        "unrecognized_keys" => 3,
        "invalid_value" => 4,
        "custom" => 5,
        "string" => 6,
        "number" => 7,
        "int" => 8,
        "boolean" => 9,
        "null" => 10,
        "array" => 11,
        "object" => 12,
        "never" => 13,
        "nonoptional" => 14,
        "safeint" => 15,
        "NaN" => 16,
        "Infinity" => 17,
        "unknown" => 18,
        SAFE_INT_NOTE => 19,
        "bigint" => 20,
        _ => return None,
    })
}

/// The issues as UTF-16 code units, for the binding to hand to JavaScript as one string.
///
/// Why not JSON: `JSON.parse` of a small issue list cost more than the whole validation, while slicing a
/// string by lengths known in advance costs almost nothing. The format: the issue count (two units), then
/// per issue its field count (one unit) and, per field in zod's order, the field's index in
/// [`FIELD_NAMES`] (one unit) and its value (see [`tags`]). JavaScript assigns the fields in that order,
/// so the objects' key order is zod's.
pub fn encode_issues(issues: &[Issue]) -> Vec<u16> {
    let mut out = Vec::new();
    encode_issues_into(issues, &mut out);
    out
}

/// [`encode_issues`], appended to `out` (the binding's answer buffer, which keeps its capacity).
#[allow(
    clippy::cast_possible_truncation,
    reason = "an issue's field count and a u32 count's two halves fit in 16 bits each"
)]
pub fn encode_issues_into(issues: &[Issue], out: &mut Vec<u16>) {
    let text: usize = issues.iter().map(|issue| 64 + 16 * issue.path.len()).sum();
    out.reserve(text + 96 * issues.len() + 2);
    push_u32(out, issues.len());
    for issue in issues {
        let fields = issue.fields();
        out.push(fields.len() as u16);
        for (name, value) in fields {
            out.push(field_code(name));
            match value {
                FieldValue::Str(s) => match constant_code(s) {
                    Some(code) => out.extend([tags::CONSTANT, code]),
                    None => push_string(out, s),
                },
                FieldValue::Number(n) => push_number(out, n),
                FieldValue::Bool(b) => out.push(if b { tags::TRUE } else { tags::FALSE }),
                FieldValue::Path(path) => {
                    out.push(tags::ARRAY);
                    push_u32(out, path.len());
                    for seg in path {
                        match seg {
                            PathSeg::Key(key) => push_string(out, key),
                            PathSeg::Index(index) => {
                                out.push(tags::INDEX);
                                push_u32(out, *index as usize);
                            }
                        }
                    }
                }
                FieldValue::Keys(items) => {
                    out.push(tags::ARRAY);
                    push_u32(out, items.len());
                    for item in items {
                        match item {
                            Text::Owned(s) => push_string(out, s),
                            Text::Record(at) => {
                                out.push(tags::RECORD);
                                push_u32(out, *at as usize);
                            }
                        }
                    }
                }
                FieldValue::Message(issue) => {
                    // One piece of text is a plain string; anything else is CONCAT with its piece count,
                    // written when the pieces are. Adjacent text pieces are joined into one string.
                    let start = out.len();
                    out.extend([tags::CONCAT, 0, 0]);
                    let mut pieces = 0usize;
                    // Where the string being joined starts (its tag), while the last piece was text.
                    let mut joining: Option<usize> = None;
                    issue.message_pieces(&mut |piece| match piece {
                        Piece::Str(s) => match joining {
                            Some(at) => append_to_string(out, at, &s),
                            None => {
                                pieces += 1;
                                joining = Some(out.len());
                                push_string(out, &s);
                            }
                        },
                        Piece::Record(at) => {
                            pieces += 1;
                            joining = None;
                            out.push(tags::RECORD);
                            push_u32(out, at as usize);
                        }
                        Piece::TypeName(at) => {
                            pieces += 1;
                            joining = None;
                            out.push(tags::TYPE_NAME);
                            push_u32(out, at as usize);
                        }
                    });
                    if pieces == 1 && out.get(start + 3) == Some(&tags::STRING) {
                        out.drain(start..start + 3);
                    } else if let Some(count) = out.get_mut(start + 1..start + 3) {
                        let n = u32::try_from(pieces).unwrap_or(u32::MAX);
                        count.copy_from_slice(&[(n >> 16) as u16, n as u16]);
                    }
                }
                FieldValue::Literals(items) => {
                    out.push(tags::ARRAY);
                    push_u32(out, items.len());
                    for item in items {
                        match item {
                            Literal::Null => out.push(tags::NULL),
                            Literal::Bool(b) => out.push(if *b { tags::TRUE } else { tags::FALSE }),
                            Literal::Number(n) => push_number(out, *n),
                            Literal::String(s) => push_string(out, s),
                        }
                    }
                }
            }
        }
    }
}

/// A field name's index in [`FIELD_NAMES`] (a test checks the two agree). A name not in it (a bug) gets a
/// code past the end, which the decoder refuses loudly rather than reading as another field.
fn field_code(name: &str) -> u16 {
    match name {
        "code" => 0,
        "expected" => 1,
        "format" => 2,
        "received" => 3,
        "path" => 4,
        "message" => 5,
        "minimum" => 6,
        "maximum" => 7,
        "note" => 8,
        "origin" => 9,
        "inclusive" => 10,
        "keys" => 11,
        "values" => 12,
        _ => u16::MAX,
    }
}

/// A count or length as two code units. Issue lists are far below 2^32 of anything.
#[allow(clippy::cast_possible_truncation, reason = "a u32 written as its two 16-bit halves")]
fn push_u32(out: &mut Vec<u16>, n: usize) {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    out.push((n >> 16) as u16);
    out.push(n as u16);
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "a string's u32 length written as its two 16-bit halves"
)]
fn push_string(out: &mut Vec<u16>, s: &str) {
    out.push(tags::STRING);
    let len_at = out.len();
    out.extend([0, 0]);
    let start = out.len();
    if s.is_ascii() {
        // Most issue text is ASCII (messages, names): widen bytes, no decoding.
        out.extend(s.bytes().map(u16::from));
    } else {
        // Schema strings (names, enum values) may carry escaped lone surrogates: written as they were.
        out.extend(super::js_string::units(s));
    }
    let len = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    if let Some(slot) = out.get_mut(len_at..len_at + 2) {
        slot.copy_from_slice(&[(len >> 16) as u16, len as u16]);
    }
}

/// Appends `s` to the string whose tag is at `at` (the last thing in `out`), and updates its length.
#[allow(
    clippy::cast_possible_truncation,
    reason = "a string's u32 length written as its two 16-bit halves"
)]
fn append_to_string(out: &mut Vec<u16>, at: usize, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(u16::from));
    } else {
        out.extend(super::js_string::units(s));
    }
    let len = u32::try_from(out.len().saturating_sub(at + 3)).unwrap_or(u32::MAX);
    if let Some(slot) = out.get_mut(at + 1..at + 3) {
        slot.copy_from_slice(&[(len >> 16) as u16, len as u16]);
    }
}

/// A finite number as JavaScript writes it (none that reaches an issue is NaN or infinite; JSON would have
/// written those as `null`, and so does this).
#[allow(clippy::cast_possible_truncation, reason = "a number's text is under 30 code units")]
fn push_number(out: &mut Vec<u16>, n: f64) {
    if n.is_finite() {
        // `String(-0)` is "0"; the decoder's `Number("-0")` keeps the sign a bound may carry.
        let text = if n == 0.0 && n.is_sign_negative() {
            "-0".to_owned()
        } else {
            js_number_to_string(n)
        };
        out.push(tags::NUMBER);
        out.extend([0, text.len() as u16]);
        out.extend(text.encode_utf16());
    } else {
        out.push(tags::NULL);
    }
}

/// zod's English messages (its `en` locale), for the issues that have no custom message.
pub(crate) mod messages {
    use std::borrow::Cow;

    use super::{js_number_to_string, Literal, Origin, Piece, Text};

    /// Concatenates `parts` into one allocation (`format!` costs more).
    #[cfg(test)]
    fn concat(parts: &[&str]) -> String {
        let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            out.push_str(part);
        }
        out
    }

    /// The whole `invalid_type` message (the walk sends it in pieces, see [`invalid_type_prefix`]).
    #[cfg(test)]
    pub fn invalid_type(expected: &str, received: &str) -> String {
        concat(&["Invalid input: expected ", expected, ", received ", received])
    }

    /// `invalid_type`'s message up to the received type, which follows it, in pieces.
    pub fn invalid_type_prefix(expected: &str) -> [&str; 3] {
        ["Invalid input: expected ", expected, ", received "]
    }

    pub fn too_small(origin: Origin, minimum: f64) -> String {
        let bound = js_number_to_string(minimum);
        match origin.sizing() {
            Some(unit) => format!("Too small: expected {} to have >={bound} {unit}", origin.as_str()),
            None => format!("Too small: expected {} to be >={bound}", origin.as_str()),
        }
    }

    pub fn too_big(origin: Origin, maximum: f64) -> String {
        let bound = js_number_to_string(maximum);
        match origin.sizing() {
            Some(unit) => format!("Too big: expected {} to have <={bound} {unit}", origin.as_str()),
            None => format!("Too big: expected {} to be <={bound}", origin.as_str()),
        }
    }

    pub fn invalid_value(values: &[Literal]) -> String {
        match values {
            [only] => format!("Invalid input: expected {}", only.stringify()),
            _ => format!(
                "Invalid option: expected one of {}",
                values.iter().map(Literal::stringify).collect::<Vec<_>>().join("|")
            ),
        }
    }

    pub fn unrecognized_keys(keys: &[Text], sink: &mut dyn FnMut(Piece<'_>)) {
        let text = |s| Piece::Str(Cow::Borrowed(s));
        sink(text(if keys.len() > 1 {
            "Unrecognized keys: "
        } else {
            "Unrecognized key: "
        }));
        for (i, key) in keys.iter().enumerate() {
            sink(text(if i > 0 { ", \"" } else { "\"" }));
            match key {
                Text::Owned(name) => sink(text(name)),
                Text::Record(at) => sink(Piece::Record(*at)),
            }
            sink(text("\""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::messages::*;
    use super::*;

    fn keys(names: &[&str]) -> Vec<Text> {
        names.iter().map(|n| Text::Owned((*n).to_owned())).collect()
    }

    /// The pieces, adjacent text joined (as the encoder joins it).
    fn pieces(keys: &[Text]) -> Vec<Piece<'static>> {
        let mut out: Vec<Piece<'static>> = Vec::new();
        unrecognized_keys(keys, &mut |p| match (p, out.last_mut()) {
            (Piece::Str(s), Some(Piece::Str(last))) => last.to_mut().push_str(&s),
            (Piece::Str(s), _) => out.push(Piece::Str(Cow::Owned(s.into_owned()))),
            (Piece::Record(at), _) => out.push(Piece::Record(at)),
            (Piece::TypeName(at), _) => out.push(Piece::TypeName(at)),
        });
        out
    }

    fn text(pieces: Vec<Piece<'_>>) -> String {
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Str(s) => s.into_owned(),
                Piece::Record(at) => format!("<{at}>"),
                Piece::TypeName(at) => format!("<type {at}>"),
            })
            .collect()
    }

    #[test]
    fn messages_match_zod_en_locale() {
        assert_eq!(
            invalid_type("string", "number"),
            "Invalid input: expected string, received number"
        );
        assert_eq!(
            too_small(Origin::String, 1.0),
            "Too small: expected string to have >=1 characters"
        );
        assert_eq!(
            too_small(Origin::Array, 1.0),
            "Too small: expected array to have >=1 items"
        );
        assert_eq!(too_small(Origin::Number, 1.5), "Too small: expected number to be >=1.5");
        assert_eq!(too_big(Origin::Unknown, 3.0), "Too big: expected unknown to be <=3");
        assert_eq!(
            too_big(Origin::String, 255.0),
            "Too big: expected string to have <=255 characters"
        );
        assert_eq!(
            invalid_value(&[
                Literal::String("a".into()),
                Literal::Number(1.0),
                Literal::Null,
                Literal::Bool(true)
            ]),
            "Invalid option: expected one of \"a\"|1|null|true"
        );
        assert_eq!(
            invalid_value(&[Literal::String("q".into())]),
            "Invalid input: expected \"q\""
        );
        assert_eq!(invalid_value(&[]), "Invalid option: expected one of ");
        assert_eq!(text(pieces(&keys(&["a"]))), "Unrecognized key: \"a\"");
        assert_eq!(text(pieces(&keys(&["1", "b"]))), "Unrecognized keys: \"1\", \"b\"");
        // Recorded keys stay pieces, for JavaScript to fill in with the keys it read.
        assert_eq!(
            pieces(&[Text::Record(7), Text::Owned("b".into())]),
            vec![
                Piece::Str("Unrecognized keys: \"".into()),
                Piece::Record(7),
                Piece::Str("\", \"b\"".into())
            ]
        );
        // Empty text between two recorded keys is sent as it is (an empty piece).
        assert_eq!(
            text(pieces(&[Text::Record(1), Text::Record(2)])),
            "Unrecognized keys: \"<1>\", \"<2>\""
        );
    }

    /// Decodes [`encode_issues`]'s output the way `lib/validation.js` does, into JSON.
    fn decode(units: &[u16]) -> serde_json::Value {
        fn u32_at(units: &[u16], at: &mut usize) -> usize {
            let n = (usize::from(units[*at]) << 16) | usize::from(units[*at + 1]);
            *at += 2;
            n
        }
        fn value(units: &[u16], at: &mut usize) -> serde_json::Value {
            let tag = units[*at];
            *at += 1;
            match tag {
                tags::STRING | tags::NUMBER => {
                    let len = u32_at(units, at);
                    let text = String::from_utf16(&units[*at..*at + len]).expect("UTF-16");
                    *at += len;
                    if tag == tags::STRING {
                        serde_json::Value::String(text)
                    } else {
                        serde_json::from_str(&text).expect("a JSON number")
                    }
                }
                tags::CONSTANT => {
                    let code = usize::from(units[*at]);
                    *at += 1;
                    CONSTANTS[code].into()
                }
                tags::TRUE => true.into(),
                tags::FALSE => false.into(),
                tags::NULL => serde_json::Value::Null,
                tags::INDEX => u32_at(units, at).into(),
                tags::RECORD => format!("<{}>", u32_at(units, at)).into(),
                tags::TYPE_NAME => format!("<type {}>", u32_at(units, at)).into(),
                tags::CONCAT => {
                    let pieces = u32_at(units, at);
                    (0..pieces)
                        .map(|_| value(units, at).as_str().expect("a string piece").to_owned())
                        .collect::<String>()
                        .into()
                }
                tags::ARRAY => {
                    let len = u32_at(units, at);
                    (0..len).map(|_| value(units, at)).collect()
                }
                other => panic!("unknown tag {other}"),
            }
        }
        let mut at = 0;
        let count = u32_at(units, &mut at);
        let mut issues = Vec::new();
        for _ in 0..count {
            let fields = units[at];
            at += 1;
            let mut object = serde_json::Map::new();
            for _ in 0..fields {
                let name = FIELD_NAMES[usize::from(units[at])];
                at += 1;
                object.insert(name.to_owned(), value(units, &mut at));
            }
            issues.push(serde_json::Value::Object(object));
        }
        assert_eq!(at, units.len(), "trailing units");
        issues.into()
    }

    fn issues_json(issues: &[Issue]) -> String {
        decode(&encode_issues(issues)).to_string()
    }

    #[test]
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a test over the constants table, far under 16 bits"
    )]
    fn constants_are_distinct_and_decode_to_themselves() {
        for (i, a) in CONSTANTS.iter().enumerate() {
            assert_eq!(constant_code(a), Some(i as u16));
        }
        let issue = Issue {
            kind: IssueKind::Custom {
                style: CustomStyle::SuperRefine,
                message: "string".into(),
            },
            path: vec![PathSeg::Key("string".into())],
        };
        assert_eq!(
            issues_json(&[issue]),
            r#"[{"code":"custom","message":"string","path":["string"]}]"#
        );
    }

    #[test]
    fn field_codes_index_field_names() {
        for (code, name) in FIELD_NAMES.iter().enumerate() {
            assert_eq!(usize::from(field_code(name)), code, "{name}");
        }
        assert_eq!(field_code("no such field"), u16::MAX);
    }

    #[test]
    fn issues_as_json_keep_zod_order() {
        let issues = [
            Issue {
                kind: IssueKind::TooSmall {
                    origin: Origin::String,
                    minimum: 1.0,
                    safe_int_note: false,
                },
                path: vec![PathSeg::Key("a".into()), PathSeg::Index(2)],
            },
            Issue {
                kind: IssueKind::InvalidValue {
                    values: vec![Literal::String("x\"y".into()), Literal::Null],
                },
                path: vec![],
            },
        ];
        assert_eq!(
            issues_json(&issues),
            r#"[{"origin":"string","code":"too_small","minimum":1,"inclusive":true,"path":["a",2],"message":"Too small: expected string to have >=1 characters"},{"code":"invalid_value","values":["x\"y",null],"path":[],"message":"Invalid option: expected one of \"x\"y\"|null"}]"#
        );
    }

    #[test]
    fn issue_strings_round_trip() {
        let key = "q\"uo\\te\n\r\t\u{1}\u{1f}é😀\u{2028}";
        let issue = Issue {
            kind: IssueKind::UnrecognizedKeys { keys: keys(&[key]) },
            path: vec![PathSeg::Key(key.to_owned())],
        };
        let parsed: serde_json::Value = serde_json::from_str(&issues_json(&[issue])).expect("valid JSON");
        assert_eq!(parsed[0]["keys"][0], key);
        assert_eq!(parsed[0]["path"][0], key);
        assert_eq!(parsed[0]["message"], format!("Unrecognized key: \"{key}\""));
        let numbers = Issue {
            kind: IssueKind::InvalidValue {
                values: vec![Literal::Number(1e21), Literal::Number(-0.5), Literal::Bool(false)],
            },
            path: vec![PathSeg::Index(3)],
        };
        assert_eq!(
            issues_json(&[numbers]),
            r#"[{"code":"invalid_value","values":[1e+21,-0.5,false],"path":[3],"message":"Invalid option: expected one of 1e+21|-0.5|false"}]"#
        );
    }

    #[test]
    fn deferred_parts_are_encoded_as_pieces() {
        let issue = Issue {
            kind: IssueKind::InvalidType {
                expected: "string",
                format: None,
                received: None,
                parsed: Parsed::Object(TypeName::Record(4)),
            },
            path: vec![],
        };
        assert_eq!(
            issues_json(&[issue]),
            r#"[{"expected":"string","code":"invalid_type","path":[],"message":"Invalid input: expected string, received <type 4>"}]"#
        );
        let keys = Issue {
            kind: IssueKind::UnrecognizedKeys {
                keys: vec![Text::Record(9)],
            },
            path: vec![],
        };
        assert_eq!(
            issues_json(&[keys]),
            r#"[{"code":"unrecognized_keys","keys":["<9>"],"path":[],"message":"Unrecognized key: \"<9>\""}]"#
        );
        // A negative zero bound keeps its sign through the text.
        let zero = Issue {
            kind: IssueKind::TooSmall {
                origin: Origin::Number,
                minimum: -0.0,
                safe_int_note: false,
            },
            path: vec![],
        };
        let units = encode_issues(&[zero]);
        let text = String::from_utf16(&units).expect("UTF-16");
        assert!(text.contains("-0"), "{text:?}");
    }

    #[test]
    fn a_message_of_many_recorded_keys_is_whole() {
        let keys: Vec<Text> = (0..70_000).map(Text::Record).collect();
        let issue = Issue {
            kind: IssueKind::UnrecognizedKeys { keys },
            path: vec![],
        };
        let parsed = decode(&encode_issues(&[issue]));
        let message = parsed[0]["message"].as_str().expect("a message");
        assert!(message.ends_with("\"<69999>\""), "{}", &message[message.len() - 40..]);
        assert_eq!(message.matches("\", \"").count(), 69_999);
    }

    #[test]
    fn field_order_follows_zod() {
        let issue = Issue {
            kind: IssueKind::InvalidType {
                expected: "number",
                format: None,
                received: Some("NaN"),
                parsed: Parsed::Word("NaN"),
            },
            path: vec![PathSeg::Key("b".into())],
        };
        let names: Vec<_> = issue.fields().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["expected", "code", "received", "path", "message"]);
        let issue = Issue {
            kind: IssueKind::Custom {
                style: CustomStyle::SuperRefine,
                message: String::new(),
            },
            path: vec![],
        };
        let names: Vec<_> = issue.fields().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["code", "message", "path"]);
    }
}

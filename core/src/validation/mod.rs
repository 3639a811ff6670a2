//! A JSON Schema (draft 2020-12 subset) validator whose verdicts and issues are zod 4.3.6's.
//!
//! The executor validated request bodies with zod, and its clients depend on zod's exact issues: codes,
//! paths, messages, extra fields, their order, and zod's quirks. This engine takes a JSON Schema document
//! (the portable description of a body) and answers, for every input, what zod gives for the equivalent
//! zod schema (see `README.md`, "compileSchema", for the keyword-to-zod mapping).
//!
//! - [`compile`]: the document → a [`Schema`]; unsupported or malformed keywords are errors that name the
//!   keyword and its JSON Pointer, never silently ignored;
//! - [`Input`]: what the engine asks of a value. The Node.js binding reads the input once, in JavaScript,
//!   under the schema's read plan (`plan.rs`), and the engine judges that record ([`Tape`]);
//!   [`JsonInput`] answers over `serde_json` values for tests;
//! - [`validate`]: walks the input in zod's order and returns the issues and the output `data`;
//! - [`Issue`]: the issue model, with zod's field order and English messages.

/// Defines documented constants and `NAMED`, the list of their names and values, from one list: the
/// binding hands `NAMED` to JavaScript, so the two sides cannot disagree about a number.
macro_rules! named_constants {
    ($ty:ty; $($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        $($(#[$doc])* pub const $name: $ty = $value;)*
        /// Every constant of this module, by name.
        pub const NAMED: &[(&str, $ty)] = &[$((stringify!($name), $name)),*];
    };
}
pub(crate) use named_constants;

mod compile;
mod engine;
mod input;
mod issue;
mod js_string;
mod json_input;
mod number;
mod plan;
mod tape;

pub use compile::{compile, compile_json, Schema, SchemaError, DATE_KEYWORD, TOKEN_ENDPOINT_KEYWORD};
pub use engine::{validate, Options, OutKey, Outcome, Output};
pub use input::{Class, Extra, Input, Key, LengthValue, Text, TypeName};
pub use issue::{
    encode_issues, encode_issues_into, tags as issue_tags, CustomStyle, FieldValue, Issue, IssueKind, Literal, Origin,
    Parsed, PathSeg, Piece, CONSTANTS as ISSUE_CONSTANTS, FIELD_NAMES,
};
pub use json_input::{JsonInput, JsonInputError};
pub use number::js_number_to_string;
pub use tape::{
    class_code as tape_class_code, encode_output, flags as tape_flags, ops as output_ops, Tape, TapeBuffers, TapeError,
    TapeInput, HEADER as TAPE_HEADER,
};

/// The credential-deposit body's JSON Schema, shipped in the npm package as
/// `schemas/deposit-credentials-body.schema.json`.
pub const DEPOSIT_SCHEMA_JSON: &str = include_str!("../../../schemas/deposit-credentials-body.schema.json");

/// `mcp_server_id` column length.
pub const MCP_SERVER_ID_MAX_LENGTH: u32 = 255;
/// `client_id` column length.
pub const CLIENT_ID_MAX_LENGTH: u32 = 255;
/// `token_endpoint` column length.
pub const TOKEN_ENDPOINT_MAX_LENGTH: u32 = 2048;
/// `scopes` column length.
pub const SCOPES_MAX_LENGTH: u32 = 2048;
/// `token_endpoint_auth_method` column length.
pub const TOKEN_ENDPOINT_AUTH_METHOD_MAX_LENGTH: u32 = 64;

//! `NativeValidator` and the token-endpoint guard: the native half of `compileSchema`,
//! `depositCredentialsBodySchema` and `assertSafeTokenEndpoint`.
//!
//! The input itself never reaches this module: `lib/reader.js` reads it once, in JavaScript, and hands
//! over what it read (a tape); the engine judges the tape, and `data` comes back as instructions over the
//! values the reader kept. Raw Node-API calls here use handles valid for the duration of the call that
//! received them, and every call's status is checked.

use std::collections::HashMap;
use std::ptr;

use mcp_oauth_credentials_core::guard::{check_parsed, split_endpoint, GuardReason};
use std::sync::Arc;

use mcp_oauth_credentials_core::validation::{
    compile_json, encode_issues, encode_output, validate, Options, Schema, Tape, TapeBuffers, FIELD_NAMES,
    ISSUE_CONSTANTS,
};
use napi::bindgen_prelude::{Env, Unknown};
use napi::sys;
use napi::JsValue;
use napi_derive::napi;
use zeroize::Zeroize;

use crate::errors::{js_error, Code, JsErr};
use crate::js::check;
use crate::raw;

/// A JavaScript string as UTF-8 (lone surrogates become U+FFFD, as Node-API writes them). Most strings read
/// here are property names and URLs: a stack buffer serves them in one call instead of two.
fn read_utf8(env: sys::napi_env, raw: sys::napi_value) -> Result<String, JsErr> {
    let mut stack = [0u8; 256];
    let mut written = 0usize;
    // SAFETY: `stack` has `stack.len()` bytes; Node-API writes at most that many, NUL included.
    let status =
        unsafe { sys::napi_get_value_string_utf8(env, raw, stack.as_mut_ptr().cast(), stack.len(), &mut written) };
    raw::expect_type(status, "the value", "a string")?;
    // Node-API truncates at a character boundary without saying so: a result that leaves room for one
    // more character (4 bytes at most) and the NUL was not truncated.
    let bytes = if written + 5 <= stack.len() {
        stack.get(..written).unwrap_or_default().to_vec()
    } else {
        let mut len = 0usize;
        // SAFETY: a null buffer asks for the length in bytes.
        check(env, unsafe {
            sys::napi_get_value_string_utf8(env, raw, ptr::null_mut(), 0, &mut len)
        })?;
        let mut buf = vec![0u8; len + 1];
        // SAFETY: `buf` holds `len + 1` bytes, room for the text and the NUL Node-API writes.
        check(env, unsafe {
            sys::napi_get_value_string_utf8(env, raw, buf.as_mut_ptr().cast(), buf.len(), &mut written)
        })?;
        buf.truncate(written);
        buf
    };
    // Node-API writes UTF-8 (lone surrogates become U+FFFD), so this cannot fail; be safe anyway.
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

const SCHEMA_TAG: sys::napi_type_tag = raw::build_tag::<Arc<Schema>>("mcp-oauth-credentials schema");
/// Schema handles, which `validateTape` takes (see [`raw::Owned`]).
const SCHEMAS: raw::Owned<Arc<Schema>> = raw::Owned::new(&SCHEMA_TAG);

/// A compiled schema.
#[napi]
pub struct NativeValidator {
    schema: Arc<Schema>,
}

/// A result as one JavaScript string. The first code unit says what follows: 0 or 1, the issues
/// (`encode_issues`), 1 when they hold only if `NODE_ENV` is not `development` or `test` (see
/// `Outcome::node_env_dependent`); 2, success, then `data` as `encode_output` instructions; 3 (alone),
/// success, and `data` is what the reader built (`Outcome::as_read`).
fn result_string(env: sys::napi_env, units: &[u16]) -> Result<sys::napi_value, JsErr> {
    let mut out = ptr::null_mut();
    // SAFETY: `units` holds `units.len()` code units.
    check(env, unsafe {
        sys::napi_create_string_utf16(env, units.as_ptr(), units.len() as isize, &mut out)
    })?;
    Ok(out)
}

#[napi]
impl NativeValidator {
    /// Compiles a JSON Schema given as JSON text.
    #[napi(constructor)]
    pub fn new(env: Env, #[napi(ts_arg_type = "string")] document: Unknown<'_>) -> Result<Self, JsErr> {
        let document = raw::string_arg(env.raw(), document.raw(), "document")?;
        let schema = compile_json(&document).map_err(|e| js_error(Code::InvalidArgType, e.to_string()))?;
        Ok(Self {
            schema: Arc::new(schema),
        })
    }

    /// The reader's plan for this schema (JSON text; see `core/src/validation/plan.rs`).
    #[napi(getter)]
    pub fn read_plan(&self) -> String {
        self.schema.read_plan()
    }

    /// The declared property names, which the read plan and `data` instructions index.
    #[napi(getter)]
    pub fn names(&self) -> Vec<String> {
        self.schema.names().to_vec()
    }

    /// A handle of this schema for `validateTape` (a plain function, not a method: the hot path).
    #[napi(ts_return_type = "object")]
    pub fn handle<'env>(&self, env: &'env Env) -> Result<Unknown<'env>, JsErr> {
        let handle = SCHEMAS.create(env.raw(), Arc::clone(&self.schema))?;
        // SAFETY: a live value just made in this env.
        Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), handle) })
    }
}

/// The numbers of the tape's layout and of the result encodings, by name (`lib/reader.js` and
/// `lib/result.js` read them once, so the two sides cannot disagree): `class.<typeof word>`,
/// `flag.<NAME>`, `op.<NAME>`, `tag.<NAME>`.
#[napi]
pub fn tape_layout() -> HashMap<String, u32> {
    use mcp_oauth_credentials_core::validation::{
        issue_tags as tags, output_ops as ops, tape_class_code, tape_flags as f, Class,
    };
    let mut out = HashMap::new();
    for (name, class) in [
        ("undefined", Class::Undefined),
        ("null", Class::Null),
        ("boolean", Class::Boolean),
        ("number", Class::Number),
        ("string", Class::String),
        ("bigint", Class::BigInt),
        ("symbol", Class::Symbol),
        ("function", Class::Function),
        ("array", Class::Array),
        ("object", Class::Object),
    ] {
        out.insert(format!("class.{name}"), tape_class_code(class));
    }
    for (name, bit) in f::NAMED {
        out.insert(format!("flag.{name}"), *bit);
    }
    for (name, op) in ops::NAMED {
        out.insert(format!("op.{name}"), u32::from(*op));
    }
    for (name, tag) in tags::NAMED {
        out.insert(format!("tag.{name}"), u32::from(*tag));
    }
    out
}

/// The field names the issue encoding indexes, in order (`lib/issues.js` reads them once).
#[napi]
pub fn issue_field_names() -> Vec<&'static str> {
    FIELD_NAMES.to_vec()
}

/// The fixed words the issue encoding sends by index, in order (`lib/issues.js` reads them once).
#[napi]
pub fn issue_constants() -> Vec<&'static str> {
    ISSUE_CONSTANTS.to_vec()
}

/// What `validateTape` reuses from one call to the next on a thread: the tape's text, its parsed
/// records, and the answer's code units. Each is wiped after the call (they hold what an input held)
/// and keeps its capacity.
#[derive(Default)]
struct Scratch {
    text: Vec<u16>,
    tape: TapeBuffers,
    answer: Vec<u16>,
}

impl Scratch {
    fn wipe(&mut self) {
        self.text.as_mut_slice().zeroize();
        self.text.clear();
        self.tape.clear();
        self.answer.as_mut_slice().zeroize();
        self.answer.clear();
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Registers the hand-registered functions of this module (see `src/raw.rs`) on `exports`.
pub fn register(env: sys::napi_env, exports: sys::napi_value) -> Result<(), JsErr> {
    raw::export(env, exports, c"validateTape", validate_tape)?;
    raw::export(env, exports, c"tokenEndpointVerdict", token_endpoint_verdict)
}

/// `validateTape(schema: object, text: string, slots: ArrayBuffer, used: number, relaxedTokenEndpoints:
/// boolean): string`. Judges what `lib/reader.js` read of an input (see `core/src/validation/tape.rs`):
/// the first `used` slots of `slots` and `text`, for the validator registered in `slot`. The tape is
/// checked as it is parsed; one that does not parse is an `ERR_MCP_OAUTH_INTERNAL` error (no reader writes
/// one). Returns the result string (see [`result_string`]). No JavaScript runs and nothing of the input is
/// read during the call. `schema` is a `NativeValidator#handle()`.
unsafe extern "C" fn validate_tape(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own env and info.
    unsafe { raw::call::<5>(env, info, validate_tape_body) }
}

fn validate_tape_body(
    raw_env: sys::napi_env,
    [schema, text, slots, used, relaxed]: [sys::napi_value; 5],
) -> Result<sys::napi_value, JsErr> {
    let schema = SCHEMAS.get(raw_env, schema, "schema")?;
    let used = raw::u32_arg(raw_env, used, "used")? as usize;
    let relaxed_token_endpoints = raw::bool_arg(raw_env, relaxed, "relaxedTokenEndpoints")?;
    // SAFETY: the ArrayBuffer stays alive, and JavaScript cannot touch it, until this call returns.
    let slots = unsafe { f64_slots(raw_env, slots) }?;
    // Only what this validation recorded: the rest of the reused buffer holds earlier validations' slots.
    let slots = slots
        .get(..used)
        .ok_or_else(|| js_error(Code::OutOfRange, "used exceeds the slots"))?;
    let run = |scratch: &mut Scratch| -> Result<sys::napi_value, JsErr> {
        read_utf16(raw_env, text, &mut scratch.text, "text")?;
        let judged = judge(schema, slots, relaxed_token_endpoints, scratch);
        let result = judged.and_then(|()| result_string(raw_env, &scratch.answer));
        scratch.wipe();
        result
    };
    // No JavaScript runs during this call, so the scratch is never borrowed twice; should it be (or be
    // gone, while the thread exits), a fresh one serves.
    SCRATCH
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => run(&mut scratch),
            Err(_) => run(&mut Scratch::default()),
        })
        .unwrap_or_else(|_| run(&mut Scratch::default()))
}

/// Parses the tape of `slots` and `scratch.text` in the scratch's buffers, validates it against `schema`,
/// and writes the answer into `scratch.answer` (see [`result_string`]). The buffers go back to the scratch
/// whether or not the tape parses.
fn judge(schema: &Schema, slots: &[f64], relaxed_token_endpoints: bool, scratch: &mut Scratch) -> Result<(), JsErr> {
    let Scratch { text, tape, answer } = scratch;
    let parsed = Tape::parse_in(slots, text, std::mem::take(tape)).map_err(|(err, buffers)| {
        *tape = buffers;
        js_error(Code::Internal, err.to_string())
    })?;
    let options = Options {
        relaxed_token_endpoints,
    };
    let judged = validate(schema, &parsed.root(), &options).map(|outcome| {
        if outcome.issues.is_empty() && outcome.as_read {
            answer.push(3);
        } else if outcome.issues.is_empty() {
            answer.push(2);
            encode_output(&outcome.output, answer);
        } else {
            answer.push(u16::from(outcome.node_env_dependent));
            answer.extend(encode_issues(&outcome.issues));
        }
    });
    *tape = parsed.into_buffers();
    judged.map_err(|e| js_error(Code::Internal, e.to_string()))
}

/// The `f64`s of an ArrayBuffer (the recorder's slots). `napi_get_arraybuffer_info` reads the pointer
/// directly; a typed array would first have its buffer object materialized.
///
/// # Safety
/// `raw` must be a live handle of this call, and the memory must not change while the slice is used (no
/// JavaScript runs during `validateTape`).
unsafe fn f64_slots<'a>(env: sys::napi_env, raw: sys::napi_value) -> Result<&'a [f64], JsErr> {
    let mut data = ptr::null_mut();
    let mut byte_length = 0usize;
    // SAFETY: live handle; a value that is not an ArrayBuffer is an error status.
    let status = unsafe { sys::napi_get_arraybuffer_info(env, raw, &mut data, &mut byte_length) };
    raw::expect_type(status, "slots", "an ArrayBuffer")?;
    let len = byte_length / std::mem::size_of::<f64>();
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() || !data.cast::<f64>().is_aligned() {
        return Err(js_error(Code::Internal, "the validation tape's buffer is not aligned"));
    }
    // SAFETY: `data` points at `byte_length` live bytes, aligned for f64, for the duration of the call.
    Ok(unsafe { std::slice::from_raw_parts(data.cast::<f64>(), len) })
}

/// Reads a JavaScript string's UTF-16 code units into `buffer` (one copy; `buffer` keeps its capacity).
fn read_utf16(env: sys::napi_env, raw: sys::napi_value, buffer: &mut Vec<u16>, name: &str) -> Result<(), JsErr> {
    buffer.clear();
    let mut len = 0usize;
    // SAFETY: a null buffer asks for the length in code units; a non-string is an error status.
    let status = unsafe { sys::napi_get_value_string_utf16(env, raw, ptr::null_mut(), 0, &mut len) };
    raw::expect_type(status, name, "a string")?;
    if len == 0 {
        return Ok(());
    }
    // Written into the spare capacity, not into a zero-filled buffer: no pass over memory that Node-API
    // overwrites at once.
    buffer.reserve(len + 1);
    let capacity = buffer.capacity();
    let mut written = 0usize;
    // SAFETY: the buffer has room for `capacity` code units past its (empty) start; Node-API writes at most
    // `capacity - 1` of them and a NUL.
    check(env, unsafe {
        sys::napi_get_value_string_utf16(env, raw, buffer.as_mut_ptr(), capacity, &mut written)
    })?;
    // SAFETY: Node-API initialized the first `written` code units (`written < capacity`).
    unsafe { buffer.set_len(written.min(capacity.saturating_sub(1))) };
    Ok(())
}

/// A reason the token-endpoint guard refuses a URL (`tokenEndpointReasons`).
#[napi(object)]
pub struct TokenEndpointReason {
    /// The reason text (`Invalid OAuth token endpoint: <reason>`).
    pub reason: String,
    /// Whether `NODE_ENV` `development` or `test` lifts it.
    pub waived_when_relaxed: bool,
}

/// The guard's reasons, in the order of the codes `tokenEndpointVerdict` returns (code 1 is the first).
#[napi]
pub fn token_endpoint_reasons() -> Vec<TokenEndpointReason> {
    GuardReason::ALL
        .iter()
        .map(|reason| TokenEndpointReason {
            reason: reason.reason().to_owned(),
            waived_when_relaxed: reason.waived_when_relaxed(),
        })
        .collect()
}

/// `tokenEndpointVerdict(endpoint: string): number`. The token-endpoint guard's strict verdict on a URL
/// that Node's `new URL()` parsed, given as `protocol + hostname` (`lib/endpoint.js`): 0 when allowed, else
/// the refusal's code (its position in `tokenEndpointReasons`, from 1). Strict, so that `lib/guard.js`
/// reads `NODE_ENV` only when the refusal is one that relaxed mode waives. Read into a stack buffer, not a
/// new string.
unsafe extern "C" fn token_endpoint_verdict(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own env and info.
    unsafe { raw::call::<1>(env, info, token_endpoint_verdict_body) }
}

#[allow(clippy::cast_possible_truncation, reason = "a position among six reasons")]
fn token_endpoint_verdict_body(env: sys::napi_env, [url]: [sys::napi_value; 1]) -> Result<sys::napi_value, JsErr> {
    let endpoint = read_utf8(env, url)?;
    let verdict = match split_endpoint(&endpoint) {
        Some((scheme, hostname)) => check_parsed(scheme, hostname, false),
        None => Err(GuardReason::NotAbsoluteUrl),
    };
    let code = match verdict {
        Ok(()) => 0,
        Err(reason) => GuardReason::ALL
            .iter()
            .position(|r| *r == reason)
            .map_or(u32::MAX, |i| i as u32 + 1),
    };
    raw::number(env, code)
}

//! `NativeValidator` and the token-endpoint guard: the native half of `compileSchema`,
//! `depositCredentialsBodySchema` and `assertSafeTokenEndpoint`.
//!
//! The input itself never reaches this module: `lib/reader.js` reads it once, in JavaScript, and hands
//! over what it read (a tape); the engine judges the tape, and `data` comes back as instructions over the
//! values the reader kept. Raw Node-API calls here use handles valid for the duration of the call that
//! received them, and every call's status is checked.

use std::collections::HashMap;

use mcp_oauth_credentials_core::guard::{check_parsed, split_endpoint, GuardReason};
use std::sync::Arc;

use mcp_oauth_credentials_core::validation::{
    compile_json, encode_issues_into, encode_output, validate, Options, Schema, Tape, TapeBuffers, FIELD_NAMES,
    ISSUE_CONSTANTS,
};
use napi::bindgen_prelude::{Env, Unknown};
use napi_derive::napi;
use zeroize::Zeroize;

use crate::errors::{js_error, Code, JsErr};
use crate::raw;

const SCHEMA_TAG: raw::Tag = raw::build_tag::<Arc<Schema>>("mcp-oauth-credentials schema");
/// Schema handles, which `validateTape` takes (see [`raw::Owned`]).
const SCHEMAS: raw::Owned<Arc<Schema>> = raw::Owned::new(&SCHEMA_TAG);

/// A compiled schema.
#[napi]
pub struct NativeValidator {
    schema: Arc<Schema>,
}

#[napi]
impl NativeValidator {
    /// Compiles a JSON Schema given as JSON text.
    #[napi(constructor)]
    pub fn new(env: Env, #[napi(ts_arg_type = "string")] document: Unknown<'_>) -> Result<Self, JsErr> {
        let env = raw::CallEnv::of(&env);
        let document = raw::string_arg(env, env.value(&document), "document")?;
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
        let env = raw::CallEnv::of(env);
        let handle = SCHEMAS.create(env, Arc::clone(&self.schema))?;
        Ok(env.unknown(handle))
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
pub fn register(env: raw::CallEnv<'_>, exports: raw::Value<'_>) -> Result<(), JsErr> {
    raw::export(env, exports, c"validateTape", validate_tape)?;
    raw::export(env, exports, c"tokenEndpointVerdict", token_endpoint_verdict)
}

raw::callback!(
    /// `validateTape(schema: object, text: string, slots: ArrayBuffer, used: number, relaxedTokenEndpoints:
    /// boolean): string`. Judges what `lib/reader.js` read of an input (see `core/src/validation/tape.rs`):
    /// the first `used` slots of `slots` and `text`, for the compiled schema `schema`. The tape is
    /// checked as it is parsed; one that does not parse is an `ERR_MCP_OAUTH_INTERNAL` error (no reader writes
    /// one). Returns the answer string (see [`judge`]). No JavaScript runs and nothing of the input is
    /// read during the call. `schema` is a `NativeValidator#handle()`.
    validate_tape,
    5,
    validate_tape_body
);

fn validate_tape_body<'a>(
    env: raw::CallEnv<'a>,
    [schema, text, slots, used, relaxed]: [raw::Value<'a>; 5],
) -> Result<raw::Value<'a>, JsErr> {
    let schema = SCHEMAS.get(env, schema, "schema")?;
    let used = raw::u32_arg(env, used, "used")? as usize;
    let relaxed_token_endpoints = raw::bool_arg(env, relaxed, "relaxedTokenEndpoints")?;
    // SAFETY: the ArrayBuffer stays alive, and JavaScript cannot touch it, until this call returns.
    let slots = unsafe { raw::f64_slots(env, slots, "slots") }?;
    // Only what this validation recorded: the rest of the reused buffer holds earlier validations' slots.
    let slots = slots
        .get(..used)
        .ok_or_else(|| js_error(Code::OutOfRange, "used exceeds the slots"))?;
    let run = |scratch: &mut Scratch| -> Result<raw::Value<'a>, JsErr> {
        raw::utf16_arg(env, text, &mut scratch.text, "text")?;
        let judged = judge(schema, slots, relaxed_token_endpoints, scratch);
        let result = judged.and_then(|()| raw::utf16_string(env, &scratch.answer));
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
/// and writes the answer into `scratch.answer`. The buffers go back to the scratch whether or not the tape
/// parses.
///
/// The answer is one JavaScript string whose first code unit says what follows: 0 or 1, the issues
/// (`encode_issues`), 1 when they hold only if `NODE_ENV` is not `development` or `test` (see
/// `Outcome::node_env_dependent`); 2, success, then `data` as `encode_output` instructions; 3 (alone),
/// success, and `data` is what the reader built (`Outcome::as_read`).
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
            encode_issues_into(&outcome.issues, answer);
        }
    });
    *tape = parsed.into_buffers();
    judged.map_err(|e| js_error(Code::Internal, e.to_string()))
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

raw::callback!(
    /// `tokenEndpointVerdict(endpoint: string): number`. The token-endpoint guard's strict verdict on a URL
    /// that Node's `new URL()` parsed, given as `protocol + hostname` (`lib/endpoint.js`): 0 when allowed, else
    /// the refusal's code (its position in `tokenEndpointReasons`, from 1). Strict, so that `lib/guard.js`
    /// reads `NODE_ENV` only when the refusal is one that relaxed mode waives. Read into a stack buffer, not a
    /// new string.
    token_endpoint_verdict,
    1,
    token_endpoint_verdict_body
);

#[allow(clippy::cast_possible_truncation, reason = "a position among six reasons")]
fn token_endpoint_verdict_body<'a>(env: raw::CallEnv<'a>, [url]: [raw::Value<'a>; 1]) -> Result<raw::Value<'a>, JsErr> {
    let endpoint = raw::text_arg(env, url, "the value")?;
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

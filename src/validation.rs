//! `NativeValidator` and the token-endpoint guard: the native half of `compileSchema`,
//! `depositCredentialsBodySchema` and `assertSafeTokenEndpoint`.
//!
//! The engine (`mcp_oauth_credentials_core::validation`) reads the input through the [`Input`] trait;
//! [`JsInput`] implements it with the Node-API operations that mirror zod's JavaScript: `input[key]`
//! (`napi_get_property`), `key in input` (`napi_has_property`), `for…in` (`napi_get_property_names`).
//! Getters and proxy traps therefore run as they would under zod, and an exception they throw stays
//! pending and propagates unchanged ([`Code::PendingException`]).
//!
//! This is the one module with `unsafe`: raw Node-API calls on handles that are valid for the duration of
//! the call that received them. Every call's status is checked.

use std::ptr;

use mcp_oauth_credentials_core::guard::{check_token_endpoint, GuardReason};
use std::sync::Arc;

use mcp_oauth_credentials_core::validation::{
    compile_json, encode_issues, validate, Class, Input, Issue, LengthValue, Options, Output, Schema, Tape,
    FIELD_NAMES, ISSUE_CONSTANTS,
};
use napi::bindgen_prelude::{Env, Unknown};
use napi::{sys, JsValue};
use napi_derive::napi;
use zeroize::Zeroize;

use crate::errors::{js_error, Code, JsErr};
use crate::js::{check, create_string, Builder};
use crate::raw;
use crate::slots::VALIDATOR;

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

/// Values the validator needs from the caller's realm (`lib/validation.js` passes them).
struct Realm {
    env: sys::napi_env,
    object_prototype: sys::napi_value,
    date_parse: sys::napi_value,
}

/// A JavaScript value under validation.
#[derive(Clone, Copy)]
struct JsInput<'a> {
    realm: &'a Realm,
    raw: sys::napi_value,
}

impl<'a> JsInput<'a> {
    fn env(&self) -> sys::napi_env {
        self.realm.env
    }

    fn wrap(&self, raw: sys::napi_value) -> Self {
        JsInput { realm: self.realm, raw }
    }

    fn key(&self, key: &str) -> Result<sys::napi_value, JsErr> {
        create_string(self.env(), key)
    }

    fn typeof_(&self) -> i32 {
        let mut kind = 0;
        // SAFETY: live env and handle; on failure `kind` stays 0 (undefined), which no check trusts.
        unsafe { sys::napi_typeof(self.env(), self.raw, &mut kind) };
        kind
    }

    fn read_utf8(&self, raw: sys::napi_value) -> Result<String, JsErr> {
        read_utf8(self.env(), raw)
    }

    /// `value[key]`. Short names without NUL go through `napi_get_named_property`, which looks the name up
    /// as an internalized string instead of creating a new string first.
    fn property(&self, key: &str) -> Result<sys::napi_value, JsErr> {
        let env = self.env();
        let mut out = ptr::null_mut();
        let mut name = [0u8; 128];
        if key.len() < name.len() && !key.as_bytes().contains(&0) {
            if let Some(slot) = name.get_mut(..key.len()) {
                slot.copy_from_slice(key.as_bytes());
            }
            // SAFETY: `name` holds the key followed by at least one NUL; a throwing getter or trap leaves
            // its exception pending.
            check(env, unsafe {
                sys::napi_get_named_property(env, self.raw, name.as_ptr().cast(), &mut out)
            })?;
        } else {
            let name = self.key(key)?;
            // SAFETY: live handles.
            check(env, unsafe { sys::napi_get_property(env, self.raw, name, &mut out) })?;
        }
        Ok(out)
    }
}

impl<'a> Input for JsInput<'a> {
    type Error = JsErr;

    fn class(&self) -> Class {
        match self.typeof_() {
            sys::ValueType::napi_null => Class::Null,
            sys::ValueType::napi_boolean => Class::Boolean,
            sys::ValueType::napi_number => Class::Number,
            sys::ValueType::napi_string => Class::String,
            sys::ValueType::napi_symbol => Class::Symbol,
            sys::ValueType::napi_function => Class::Function,
            sys::ValueType::napi_bigint => Class::BigInt,
            sys::ValueType::napi_object | sys::ValueType::napi_external => {
                let mut is_array = false;
                // SAFETY: live env and handle.
                unsafe { sys::napi_is_array(self.env(), self.raw, &mut is_array) };
                if is_array {
                    Class::Array
                } else {
                    Class::Object
                }
            }
            _ => Class::Undefined,
        }
    }

    fn boolean(&self) -> bool {
        let mut value = false;
        // SAFETY: live env and handle; a non-boolean leaves `false`.
        unsafe { sys::napi_get_value_bool(self.env(), self.raw, &mut value) };
        value
    }

    fn number(&self) -> f64 {
        let mut value = f64::NAN;
        // SAFETY: live env and handle; a non-number leaves NaN.
        unsafe { sys::napi_get_value_double(self.env(), self.raw, &mut value) };
        value
    }

    fn utf16(&self) -> Result<Vec<u16>, JsErr> {
        let mut units = Vec::new();
        read_utf16(self.env(), self.raw, &mut units, "the value")?;
        Ok(units)
    }

    fn utf16_len(&self) -> Result<usize, JsErr> {
        let env = self.env();
        let mut len = 0usize;
        // SAFETY: a null buffer asks for the length in code units.
        check(env, unsafe {
            sys::napi_get_value_string_utf16(env, self.raw, ptr::null_mut(), 0, &mut len)
        })?;
        Ok(len)
    }

    fn text(&self) -> Result<String, JsErr> {
        self.read_utf8(self.raw)
    }

    fn get(&self, key: &str) -> Result<Self, JsErr> {
        Ok(self.wrap(self.property(key)?))
    }

    fn has(&self, key: &str) -> Result<bool, JsErr> {
        let env = self.env();
        let name = self.key(key)?;
        let mut out = false;
        // SAFETY: live handles.
        check(env, unsafe { sys::napi_has_property(env, self.raw, name, &mut out) })?;
        Ok(out)
    }

    fn has_own(&self, key: &str) -> Result<bool, JsErr> {
        let env = self.env();
        let name = self.key(key)?;
        let mut out = false;
        // SAFETY: live handles.
        check(env, unsafe {
            sys::napi_has_own_property(env, self.raw, name, &mut out)
        })?;
        Ok(out)
    }

    fn for_in_keys(&self) -> Result<Vec<String>, JsErr> {
        let env = self.env();
        let mut names = ptr::null_mut();
        // SAFETY: live handle; Node-API documents this as the keys `for…in` visits, numbers as strings.
        check(env, unsafe { sys::napi_get_property_names(env, self.raw, &mut names) })?;
        let mut len = 0u32;
        // SAFETY: `names` is an array.
        check(env, unsafe { sys::napi_get_array_length(env, names, &mut len) })?;
        let mut keys = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut key = ptr::null_mut();
            // SAFETY: index within the array.
            check(env, unsafe { sys::napi_get_element(env, names, i, &mut key) })?;
            keys.push(self.read_utf8(key)?);
        }
        Ok(keys)
    }

    fn array_len(&self) -> Result<u32, JsErr> {
        let env = self.env();
        let mut len = 0u32;
        // SAFETY: live handle, an array.
        check(env, unsafe { sys::napi_get_array_length(env, self.raw, &mut len) })?;
        Ok(len)
    }

    fn index(&self, index: u32) -> Result<Self, JsErr> {
        let env = self.env();
        let mut out = ptr::null_mut();
        // SAFETY: live handle; a throwing getter leaves its exception pending.
        check(env, unsafe { sys::napi_get_element(env, self.raw, index, &mut out) })?;
        Ok(self.wrap(out))
    }

    fn length_property(&self) -> Result<LengthValue, JsErr> {
        let length = self.get("length")?;
        match length.typeof_() {
            sys::ValueType::napi_undefined => Ok(LengthValue::Undefined),
            sys::ValueType::napi_number => Ok(LengthValue::Number(length.number())),
            _ => {
                let env = self.env();
                let mut number = ptr::null_mut();
                // SAFETY: live handle; `ToNumber` may run user code (valueOf) and throw.
                check(env, unsafe { sys::napi_coerce_to_number(env, length.raw, &mut number) })?;
                Ok(LengthValue::Number(self.wrap(number).number()))
            }
        }
    }

    fn object_type_name(&self) -> Result<String, JsErr> {
        let env = self.env();
        let mut proto = ptr::null_mut();
        // SAFETY: live handle, an object.
        check(env, unsafe { sys::napi_get_prototype(env, self.raw, &mut proto) })?;
        let mut same = false;
        // SAFETY: live handles.
        check(env, unsafe {
            sys::napi_strict_equals(env, proto, self.realm.object_prototype, &mut same)
        })?;
        if same || !self.has("constructor")? {
            return Ok("object".to_owned());
        }
        let constructor = self.get("constructor")?;
        if !constructor.truthy()? {
            return Ok("object".to_owned());
        }
        let name = constructor.get("name")?;
        if name.typeof_() == sys::ValueType::napi_string {
            return self.read_utf8(name.raw);
        }
        let mut text = ptr::null_mut();
        // SAFETY: live handle; `ToString` may run user code and throw (a Symbol does).
        check(env, unsafe { sys::napi_coerce_to_string(env, name.raw, &mut text) })?;
        self.read_utf8(text)
    }

    fn truthy(&self) -> Result<bool, JsErr> {
        match self.class() {
            Class::Undefined | Class::Null => return Ok(false),
            Class::Boolean => return Ok(self.boolean()),
            Class::Number => {
                let n = self.number();
                return Ok(n != 0.0 && !n.is_nan());
            }
            Class::String => return Ok(self.utf16_len()? > 0),
            Class::Symbol | Class::Function | Class::Array => return Ok(true),
            // Objects (`document.all` is falsy) and bigints: ask the engine.
            Class::Object | Class::BigInt => {}
        }
        let env = self.env();
        let mut out = ptr::null_mut();
        // SAFETY: live handle; ToBoolean runs no user code.
        check(env, unsafe { sys::napi_coerce_to_bool(env, self.raw, &mut out) })?;
        Ok(self.wrap(out).boolean())
    }

    fn date_parses(&self) -> Result<bool, JsErr> {
        let env = self.env();
        let mut receiver = ptr::null_mut();
        // SAFETY: live env.
        check(env, unsafe { sys::napi_get_undefined(env, &mut receiver) })?;
        let args = [self.raw];
        let mut result = ptr::null_mut();
        // SAFETY: `date_parse` is the caller realm's `Date.parse`, checked to be a function.
        check(env, unsafe {
            sys::napi_call_function(env, receiver, self.realm.date_parse, 1, args.as_ptr(), &mut result)
        })?;
        Ok(!self.wrap(result).number().is_nan())
    }
}

/// Result building that depends on the engine's types.
impl Builder {
    fn output(&self, output: &Output<JsInput<'_>>) -> Result<sys::napi_value, JsErr> {
        match output {
            Output::Same(value) => Ok(value.raw),
            Output::Undefined => self.undefined(),
            Output::Object(entries) => {
                let object = self.object()?;
                for (key, value) in entries {
                    self.set(object, key, self.output(value)?)?;
                }
                Ok(object)
            }
            Output::Array(items) => {
                let array = self.array(items.len())?;
                for (i, item) in items.iter().enumerate() {
                    self.push(array, i, self.output(item)?)?;
                }
                Ok(array)
            }
        }
    }
}

/// A compiled schema, and the property-name table its tapes index (see `lib/tape.js`).
pub struct Compiled {
    schema: Arc<Schema>,
    names: Vec<String>,
}

/// A compiled schema.
#[napi]
pub struct NativeValidator {
    schema: Arc<Schema>,
    /// The registry slot of the tape reader, once `enableTape` was called.
    slot: Option<u32>,
}

impl Drop for NativeValidator {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            VALIDATOR.release(slot);
        }
    }
}

/// The issues as one JavaScript string: a first code unit that is 1 when they hold only if `NODE_ENV` is
/// not `development` or `test` (see `Outcome::node_env_dependent`), else 0; then `encode_issues`.
fn issues_string(env: sys::napi_env, issues: &[Issue], node_env_dependent: bool) -> Result<sys::napi_value, JsErr> {
    let mut units = encode_issues(issues);
    units.insert(0, u16::from(node_env_dependent));
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
    pub fn new(document: String) -> Result<Self, JsErr> {
        let schema = compile_json(&document).map_err(|e| js_error(Code::InvalidArgType, e.to_string()))?;
        Ok(Self {
            schema: Arc::new(schema),
            slot: None,
        })
    }

    /// Whether validation depends on `NODE_ENV` (the token-endpoint guard is used).
    #[napi(getter)]
    pub fn uses_token_endpoint_guard(&self) -> bool {
        self.schema.uses_token_endpoint_guard()
    }

    /// Registers this schema for `validateTape`, with the property names the recorder's tapes index, and
    /// returns the slot to pass.
    #[napi]
    pub fn enable_tape(&mut self, names: Vec<String>) -> Result<u32, JsErr> {
        let compiled = Compiled {
            schema: Arc::clone(&self.schema),
            names,
        };
        let slot = VALIDATOR.register(Arc::new(compiled))?;
        if let Some(old) = self.slot.replace(slot) {
            VALIDATOR.release(old);
        }
        Ok(slot)
    }

    /// Validates the live `input` (the reader for schemas the recorder does not cover). On success the
    /// data is stored at `box[0]` and the result is `undefined`; on failure the result is the issues,
    /// encoded as one string that `lib/issues.js` decodes.
    #[napi(ts_return_type = "string | undefined")]
    pub fn safe_parse<'env>(
        &self,
        env: &'env Env,
        input: Unknown<'env>,
        relaxed_token_endpoints: bool,
        object_prototype: Unknown<'env>,
        date_parse: Unknown<'env>,
        data_box: Unknown<'env>,
    ) -> Result<Unknown<'env>, JsErr> {
        let raw_env = env.raw();
        // `Date.parse` is called through napi_call_function, which itself refuses a non-function.
        let realm = Realm {
            env: raw_env,
            object_prototype: object_prototype.raw(),
            date_parse: date_parse.raw(),
        };
        let value = JsInput {
            realm: &realm,
            raw: input.raw(),
        };
        let outcome = validate(
            &self.schema,
            &value,
            &Options {
                relaxed_token_endpoints,
            },
        )?;
        let build = Builder { env: raw_env };
        let result = if outcome.issues.is_empty() {
            build.push(data_box.raw(), 0, build.output(&outcome.output)?)?;
            build.undefined()?
        } else {
            issues_string(raw_env, &outcome.issues, outcome.node_env_dependent)?
        };
        // SAFETY: `result` is a live handle of this env.
        Ok(unsafe { Unknown::from_raw_unchecked(raw_env, result) })
    }
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

thread_local! {
    /// The text of the last tape, reused between calls.
    static TEXT: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Registers the hand-registered functions of this module (see `src/raw.rs`) on `exports`.
pub fn register(env: sys::napi_env, exports: sys::napi_value) -> Result<(), JsErr> {
    raw::export(env, exports, c"validateTape", validate_tape)?;
    raw::export(env, exports, c"tokenEndpointVerdict", token_endpoint_verdict)
}

/// `validateTape(slot: number, text: string, slots: ArrayBuffer, used: number, relaxedTokenEndpoints:
/// boolean): string | undefined`. Validates a recorded input (see `core/src/validation/tape.rs`): the first
/// `used` slots of `slots` (the buffer of the recorder's `Float64Array`) and `text` as `lib/tape.js` wrote
/// them, for the validator registered in `slot`. Returns `undefined` when the input is valid (the recorder kept what `data` needs),
/// else the encoded issues. `safeParse` takes this path for every input its JavaScript fast path does not
/// accept: one call, no reads of the input itself.
unsafe extern "C" fn validate_tape(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own env and info.
    unsafe { raw::call::<5>(env, info, validate_tape_body) }
}

fn validate_tape_body(
    raw_env: sys::napi_env,
    [slot, text, slots, used, relaxed]: [sys::napi_value; 5],
) -> Result<sys::napi_value, JsErr> {
    let slot = raw::u32_arg(raw_env, slot, "slot")?;
    let used = raw::u32_arg(raw_env, used, "used")? as usize;
    let relaxed_token_endpoints = raw::bool_arg(raw_env, relaxed, "relaxedTokenEndpoints")?;
    // SAFETY: the ArrayBuffer stays alive, and JavaScript cannot touch it, until this call returns.
    let slots = unsafe { f64_slots(raw_env, slots) }?;
    // Only what this validation recorded: the rest of the reused buffer holds earlier validations' slots.
    let slots = slots
        .get(..used)
        .ok_or_else(|| js_error(Code::OutOfRange, "used exceeds the slots"))?;
    let run = |buffer: &mut Vec<u16>| -> Result<(Vec<Issue>, bool), JsErr> {
        read_utf16(raw_env, text, buffer, "text")?;
        let issues = VALIDATOR.with(slot, |compiled| {
            let tape = Tape::new(slots, buffer, &compiled.names);
            let options = Options {
                relaxed_token_endpoints,
            };
            let root = tape.root().map_err(|e| js_error(Code::Internal, e.to_string()))?;
            validate(&compiled.schema, &root, &options)
                .map(|outcome| (outcome.issues, outcome.node_env_dependent))
                .map_err(|e| js_error(Code::Internal, e.to_string()))
        });
        // The text holds strings of the input: wipe them, keep the capacity.
        buffer.as_mut_slice().zeroize();
        buffer.clear();
        issues
    };
    // No JavaScript runs during this call, so the scratch buffer is never borrowed twice; should it be (or
    // be gone, while the thread exits), a fresh buffer serves.
    let outcome = TEXT
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffer) => run(&mut buffer),
            Err(_) => run(&mut Vec::new()),
        })
        .unwrap_or_else(|_| run(&mut Vec::new()))?;
    let (issues, node_env_dependent) = outcome;
    if issues.is_empty() {
        Builder { env: raw_env }.undefined()
    } else {
        issues_string(raw_env, &issues, node_env_dependent)
    }
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
    buffer.resize(len + 1, 0);
    let mut written = 0usize;
    // SAFETY: `buffer` holds `len + 1` code units.
    check(env, unsafe {
        sys::napi_get_value_string_utf16(env, raw, buffer.as_mut_ptr(), buffer.len(), &mut written)
    })?;
    buffer.truncate(written);
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

/// `tokenEndpointVerdict(url: string): number`. The token-endpoint guard's strict verdict on `url`: 0
/// when allowed, else the refusal's code (its position in `tokenEndpointReasons`, from 1). Strict, so
/// that `lib/guard.js` reads `NODE_ENV` only when the refusal is one that relaxed mode waives. The URL is
/// read into a stack buffer, not a new string.
unsafe extern "C" fn token_endpoint_verdict(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own env and info.
    unsafe { raw::call::<1>(env, info, token_endpoint_verdict_body) }
}

fn token_endpoint_verdict_body(env: sys::napi_env, [url]: [sys::napi_value; 1]) -> Result<sys::napi_value, JsErr> {
    let url = read_utf8(env, url)?;
    let code = match check_token_endpoint(&url, false) {
        Ok(()) => 0,
        Err(reason) => GuardReason::ALL
            .iter()
            .position(|r| *r == reason)
            .map_or(u32::MAX, |i| i as u32 + 1),
    };
    raw::number(env, code)
}

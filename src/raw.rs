//! Everything that touches Node-API's raw handles, and the functions registered with Node-API directly.
//!
//! A raw `napi_env` or `napi_value` is only sound to use during the call it came from, so no safe
//! function outside this module takes one: the bindings get [`CallEnv`] and [`Value`], which only a live
//! call makes ([`call`], or napi-rs's `Env` and values through [`CallEnv::of`]), and every reader here
//! checks the status Node-API returns.
//!
//! Registered directly, without napi-rs's generated wrapper:
//! Why: the wrapper validates each argument's type and converts it through napi-rs's value types before
//! the function runs, which cost about 150 ns per call here (measured against a hand-registered function
//! with the same four arguments: 200–300 ns against 100–120 ns, timer included). For the calls made once
//! per validation or per encryption that is a tenth of the whole call, so the hottest ones are registered
//! here, and take their arguments with one `napi_get_cb_info` and plain Node-API reads. Each function
//! turns every failure into a JavaScript exception (an `Error` whose `code` is the failure's
//! [`Code`](crate::errors::Code)), exactly as napi-rs does for the rest of the bindings, and none can
//! panic: the bindings deny `unwrap`, `expect`, `panic!` and indexing.

use std::ffi::CStr;
use std::marker::PhantomData;
use std::ptr;

use napi::bindgen_prelude::Unknown;
use napi::{sys, Env, JsValue};

use crate::errors::{js_error, Code, JsErr};

/// The environment of the native call in progress, for that call's lifetime `'a`. Made only by [`call`]
/// (from the callback's own env) and [`CallEnv::of`] (from the `Env` napi-rs hands a `#[napi]` function),
/// so a Node-API call made through it always has a live env. This module and the two constructors are the
/// only places where a raw `napi_env` is handled: the bindings never see one.
#[derive(Clone, Copy)]
pub struct CallEnv<'a> {
    raw: sys::napi_env,
    call: PhantomData<&'a ()>,
}

/// A JavaScript value of the call in progress: an argument of [`call`]'s body, a napi-rs value of a
/// `#[napi]` function ([`CallEnv::value`]), or one this module made in the call.
#[derive(Clone, Copy)]
pub struct Value<'a> {
    raw: sys::napi_value,
    call: PhantomData<&'a ()>,
}

impl<'a> CallEnv<'a> {
    /// The environment of a `#[napi]` function's call.
    pub fn of(env: &'a Env) -> Self {
        Self {
            raw: env.raw(),
            call: PhantomData,
        }
    }

    /// A napi-rs argument of that call, as a [`Value`].
    pub fn value(self, value: &Unknown<'a>) -> Value<'a> {
        self.wrap(value.raw())
    }

    /// A napi-rs value of a handle this module made in the call.
    pub fn unknown(self, value: Value<'a>) -> Unknown<'a> {
        // SAFETY: `value` is a live handle of this call, made in this env.
        unsafe { Unknown::from_raw_unchecked(self.raw, value.raw) }
    }

    fn wrap(self, raw: sys::napi_value) -> Value<'a> {
        Value { raw, call: PhantomData }
    }

    /// Turns a Node-API status into a result; a pending JavaScript exception is kept pending (as
    /// [`Code::PendingException`], so that it propagates unchanged).
    fn check(self, status: sys::napi_status) -> Result<(), JsErr> {
        if status == sys::Status::napi_ok {
            return Ok(());
        }
        let mut pending = false;
        // SAFETY: a live env (see the type).
        unsafe { sys::napi_is_exception_pending(self.raw, &mut pending) };
        if pending {
            Err(js_error(Code::PendingException, "a JavaScript exception is pending"))
        } else {
            Err(js_error(
                Code::Internal,
                format!("a Node-API call failed with status {status}"),
            ))
        }
    }
}

/// A Node-API type tag (see [`Owned`]).
pub type Tag = sys::napi_type_tag;

/// Defines `$name`, the native callback of a hand-registered function whose body is `$body` (a [`Body`]
/// of `$n` arguments), for [`export`].
macro_rules! callback {
    ($(#[$doc:meta])* $name:ident, $n:literal, $body:path) => {
        $(#[$doc])*
        unsafe extern "C" fn $name(env: napi::sys::napi_env, info: napi::sys::napi_callback_info) -> napi::sys::napi_value {
            // SAFETY: Node-API calls this with the callback's own env and info.
            unsafe { $crate::raw::call::<$n>(env, info, $body) }
        }
    };
}
pub(crate) use callback;

/// The body of a hand-registered function: the call's environment and its arguments, in order (missing
/// ones are `undefined`).
pub type Body<const N: usize> = for<'a> fn(CallEnv<'a>, [Value<'a>; N]) -> Result<Value<'a>, JsErr>;

/// Reads the call's first `N` arguments.
///
/// # Safety
/// `env` and `info` must be those of the current callback.
unsafe fn arguments<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Result<[sys::napi_value; N], JsErr> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    // SAFETY: `argv` has room for `argc` values; Node-API fills missing ones with `undefined`.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    CallEnv {
        raw: env,
        call: PhantomData,
    }
    .check(status)?;
    Ok(argv)
}

/// Throws `err` as napi-rs would: nothing when a JavaScript exception is already pending (it propagates
/// unchanged), else an `Error` with the message and `code`.
///
/// # Safety
/// `env` must be that of the current callback.
unsafe fn throw(env: sys::napi_env, err: JsErr) {
    if err.status == Code::PendingException {
        return;
    }
    let code: &str = err.status.as_ref();
    let mut code_value = ptr::null_mut();
    let mut message_value = ptr::null_mut();
    let mut error = ptr::null_mut();
    // SAFETY: live env; both strings are valid UTF-8 of the given lengths, the fallback's are
    // NUL-terminated.
    unsafe {
        let built = sys::napi_create_string_utf8(env, code.as_ptr().cast(), code.len() as isize, &mut code_value)
            == sys::Status::napi_ok
            && sys::napi_create_string_utf8(
                env,
                err.reason.as_ptr().cast(),
                err.reason.len() as isize,
                &mut message_value,
            ) == sys::Status::napi_ok
            && sys::napi_create_error(env, code_value, message_value, &mut error) == sys::Status::napi_ok;
        if built {
            sys::napi_throw(env, error);
        } else {
            let mut pending = false;
            sys::napi_is_exception_pending(env, &mut pending);
            if !pending {
                // Never let the call return `undefined` as though it had succeeded.
                sys::napi_throw_error(
                    env,
                    c"ERR_MCP_OAUTH_INTERNAL".as_ptr(),
                    c"the addon could not build its error".as_ptr(),
                );
            }
        }
    }
}

/// Runs `body` for a call, turning its failure into a JavaScript exception.
///
/// # Safety
/// `env` and `info` must be those of the current callback.
pub unsafe fn call<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    body: Body<N>,
) -> sys::napi_value {
    let call_env = CallEnv {
        raw: env,
        call: PhantomData,
    };
    // SAFETY: forwarded from the caller.
    let args = unsafe { arguments::<N>(env, info) };
    match args.and_then(|args| body(call_env, args.map(|raw| call_env.wrap(raw)))) {
        Ok(value) => value.raw,
        Err(err) => {
            // SAFETY: forwarded from the caller.
            unsafe { throw(env, err) };
            ptr::null_mut()
        }
    }
}

/// A native callback registered by [`export`].
pub type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Defines `exports[name]` as the native function `callback`.
pub fn export(env: CallEnv<'_>, exports: Value<'_>, name: &CStr, callback: Callback) -> Result<(), JsErr> {
    let mut function = ptr::null_mut();
    let len = name.to_bytes().len() as isize;
    // SAFETY: live env; `name` is NUL-terminated and `len` bytes long.
    env.check(unsafe {
        sys::napi_create_function(
            env.raw,
            name.as_ptr(),
            len,
            Some(callback),
            ptr::null_mut(),
            &mut function,
        )
    })?;
    // SAFETY: live handles; `name` is NUL-terminated.
    env.check(unsafe { sys::napi_set_named_property(env.raw, exports.raw, name.as_ptr(), function) })
}

/// A `u32` argument named `name` (a number; fractional and out-of-range values are converted as
/// Node-API does). Anything else is an `ERR_INVALID_ARG_TYPE` error.
pub fn u32_arg(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<u32, JsErr> {
    let mut out = 0u32;
    // SAFETY: live handle; a non-number is an error status, and leaves no exception pending.
    let status = unsafe { sys::napi_get_value_uint32(env.raw, value.raw, &mut out) };
    expect_type(status, name, "a number")?;
    Ok(out)
}

/// A boolean argument named `name`.
pub fn bool_arg(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<bool, JsErr> {
    let mut out = false;
    // SAFETY: live handle; a non-boolean is an error status.
    let status = unsafe { sys::napi_get_value_bool(env.raw, value.raw, &mut out) };
    expect_type(status, name, "a boolean")?;
    Ok(out)
}

/// The status of a typed read: anything but success means the argument had the wrong type.
fn expect_type(status: sys::napi_status, name: &str, expected: &str) -> Result<(), JsErr> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(js_error(Code::InvalidArgType, format!("{name} must be {expected}")))
    }
}

/// A number as a JavaScript value.
pub fn number(env: CallEnv<'_>, value: u32) -> Result<Value<'_>, JsErr> {
    let mut out = ptr::null_mut();
    // SAFETY: live env.
    env.check(unsafe { sys::napi_create_uint32(env.raw, value, &mut out) })?;
    Ok(env.wrap(out))
}

/// A number argument named `name`.
pub fn f64_arg(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<f64, JsErr> {
    let mut out = 0f64;
    // SAFETY: live handle; a non-number is an error status.
    let status = unsafe { sys::napi_get_value_double(env.raw, value.raw, &mut out) };
    expect_type(status, name, "a number")?;
    Ok(out)
}

/// Where a `Uint8Array` argument named `name` (a Buffer included) keeps its bytes, and how many. A view of
/// a `SharedArrayBuffer` is refused: another thread may write it while Rust holds it as a slice, which is
/// a data race. The package's JavaScript copies such views first; this holds for any other caller.
pub fn uint8_array(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<(*mut u8, usize), JsErr> {
    let (data, len) = typed_array(env, value, name, sys::TypedarrayType::uint8_array, "a Uint8Array")?;
    Ok((data.cast::<u8>(), len))
}

/// [`uint8_array`] for an optional argument: `None` when it is absent, `undefined` or `null`.
pub fn optional_uint8_array(
    env: CallEnv<'_>,
    value: Option<Value<'_>>,
    name: &str,
) -> Result<Option<(*mut u8, usize)>, JsErr> {
    match value {
        Some(value) if !is_nullish(env, value) => uint8_array(env, value, name).map(Some),
        _ => Ok(None),
    }
}

/// [`uint8_array`] for a `Uint32Array`: where its elements are, and how many. The pointer is aligned for
/// `u32` (a typed array's offset is a multiple of its element size).
pub fn uint32_array(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<(*const u32, usize), JsErr> {
    let (data, len) = typed_array(env, value, name, sys::TypedarrayType::uint32_array, "a Uint32Array")?;
    if !data.cast::<u32>().is_aligned() {
        return Err(js_error(
            Code::InvalidArgType,
            format!("{name} must be an aligned Uint32Array"),
        ));
    }
    Ok((data.cast::<u32>().cast_const(), len))
}

/// A typed array of `kind` over an `ArrayBuffer` (never a `SharedArrayBuffer`): its data and element count.
fn typed_array(
    env: CallEnv<'_>,
    value: Value<'_>,
    name: &str,
    kind: sys::napi_typedarray_type,
    expected: &str,
) -> Result<(*mut std::ffi::c_void, usize), JsErr> {
    let mut found = -1;
    let mut len = 0usize;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    // SAFETY: live handle; a value that is not a typed array is an error status.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw,
            value.raw,
            &mut found,
            &mut len,
            &mut data,
            &mut buffer,
            ptr::null_mut(),
        )
    };
    expect_type(status, name, expected)?;
    if found != kind {
        return Err(js_error(Code::InvalidArgType, format!("{name} must be {expected}")));
    }
    let mut unshared = false;
    // SAFETY: live handle to the view's buffer; `napi_is_arraybuffer` is false for a SharedArrayBuffer.
    let status = unsafe { sys::napi_is_arraybuffer(env.raw, buffer, &mut unshared) };
    if status != sys::Status::napi_ok || !unshared {
        return Err(js_error(
            Code::InvalidArgType,
            format!("{name} must be {expected} over an ArrayBuffer, not a SharedArrayBuffer"),
        ));
    }
    Ok((data, if data.is_null() { 0 } else { len }))
}

/// `undefined` or `null`.
fn is_nullish(env: CallEnv<'_>, value: Value<'_>) -> bool {
    let mut kind = sys::ValueType::napi_undefined;
    // SAFETY: live handle; on failure `kind` stays `undefined`.
    unsafe { sys::napi_typeof(env.raw, value.raw, &mut kind) };
    kind == sys::ValueType::napi_undefined || kind == sys::ValueType::napi_null
}

/// The bytes at `(data, len)` as a slice.
///
/// # Safety
/// `(data, len)` must come from [`uint8_array`] in the current call, the memory must not be written while
/// the slice lives (no JavaScript runs during a native call), and no `&mut` slice may overlap it.
pub unsafe fn bytes<'a>((data, len): (*mut u8, usize)) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: see the function's contract.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

/// Whether two byte ranges share memory.
pub fn overlap((a, a_len): (*mut u8, usize), (b, b_len): (*mut u8, usize)) -> bool {
    let (a, b) = (a as usize, b as usize);
    a_len != 0 && b_len != 0 && a < b.saturating_add(b_len) && b < a.saturating_add(a_len)
}

/// The bytes at `(data, len)` as a mutable slice.
///
/// # Safety
/// As [`bytes`], and no other slice may overlap it while it lives.
pub unsafe fn bytes_mut<'a>((data, len): (*mut u8, usize)) -> &'a mut [u8] {
    if len == 0 {
        &mut []
    } else {
        // SAFETY: see the function's contract.
        unsafe { std::slice::from_raw_parts_mut(data, len) }
    }
}

/// A value owned by a JavaScript object: an `External` that only this addon makes, recognised by a
/// Node-API type tag (which no JavaScript can set, read or copy), freed when the `External` is collected.
///
/// Why: a plain number (a registry slot) names state to any code in the thread, even code that loaded this
/// binary a second time with `process.dlopen`. An `External` is a capability: only code holding a reference
/// to it reaches what it owns. The tag tells ours from any other addon's `External`, so that the pointer is
/// never read as a type it is not.
pub struct Owned<T: 'static> {
    tag: &'static sys::napi_type_tag,
    _type: std::marker::PhantomData<T>,
}

impl<T: 'static> Owned<T> {
    /// The handles of `T`, under `tag` (one tag per type, and per build: see [`build_tag`]).
    pub const fn new(tag: &'static sys::napi_type_tag) -> Self {
        Self {
            tag,
            _type: std::marker::PhantomData,
        }
    }

    /// A new tagged `External` that owns `value`.
    pub fn create<'a>(&self, env: CallEnv<'a>, value: T) -> Result<Value<'a>, JsErr> {
        unsafe extern "C" fn finalize<T>(
            _env: sys::napi_env,
            data: *mut std::ffi::c_void,
            _hint: *mut std::ffi::c_void,
        ) {
            if !data.is_null() {
                // SAFETY: `data` is the `Box<T>` that `create` leaked for this External, freed only here,
                // once, when the External is collected (or its environment torn down).
                drop(unsafe { Box::from_raw(data.cast::<T>()) });
            }
        }
        let data = Box::into_raw(Box::new(value));
        let mut out = ptr::null_mut();
        // SAFETY: live env; on success the External owns `data` and `finalize::<T>` frees it.
        let status =
            unsafe { sys::napi_create_external(env.raw, data.cast(), Some(finalize::<T>), ptr::null_mut(), &mut out) };
        if status != sys::Status::napi_ok {
            // SAFETY: the External was not made, so nothing else owns `data`.
            drop(unsafe { Box::from_raw(data) });
            return Err(js_error(Code::Internal, "could not create a native handle"));
        }
        // SAFETY: live handle to the new External; a fresh object has no tag yet.
        env.check(unsafe { sys::napi_type_tag_object(env.raw, out, self.tag) })?;
        Ok(env.wrap(out))
    }

    /// What the handle argument `name` owns. Anything but an `External` this type made (another addon's,
    /// a plain object, a number) is an `ERR_INVALID_ARG_TYPE` error naming the argument.
    pub fn get<'a>(&self, env: CallEnv<'a>, value: Value<'a>, name: &str) -> Result<&'a T, JsErr> {
        let refused = || js_error(Code::InvalidArgType, format!("{name} must be a handle of this addon"));
        let mut kind = sys::ValueType::napi_undefined;
        // SAFETY: live handle. Only an External is asked for its tag: asking a primitive converts it to an
        // object, and throws for `null` and `undefined`.
        if unsafe { sys::napi_typeof(env.raw, value.raw, &mut kind) } != sys::Status::napi_ok
            || kind != sys::ValueType::napi_external
        {
            return Err(refused());
        }
        let mut tagged = false;
        // SAFETY: live handle to an External (an object).
        let status = unsafe { sys::napi_check_object_type_tag(env.raw, value.raw, self.tag, &mut tagged) };
        if status != sys::Status::napi_ok || !tagged {
            return Err(refused());
        }
        let mut data = ptr::null_mut();
        // SAFETY: live handle; a tagged object that is not an External is an error status.
        let status = unsafe { sys::napi_get_value_external(env.raw, value.raw, &mut data) };
        if status != sys::Status::napi_ok || data.is_null() {
            return Err(refused());
        }
        // SAFETY: only `create` tags objects with `self.tag`, and only Externals whose data is a live
        // `Box<T>`, freed when the External is collected, which cannot happen while this call holds it as
        // an argument. The reference lives no longer than the call (`'a` is the call's).
        Ok(unsafe { &*data.cast::<T>() })
    }
}

/// A type tag for handles of `T` named `what`, different for each version of this package, each target
/// and each layout of `T`: two copies loaded in one process (two `node_modules` trees, or two builds of
/// one version) never take each other's handles unless they agree on what the pointer points at.
/// FNV-1a over the name, the version, the target triple and `T`'s size and alignment, two ways.
pub const fn build_tag<T>(what: &str) -> sys::napi_type_tag {
    const fn fnv(seed: u64, first: &[u8], second: &[u8]) -> u64 {
        let mut hash = seed;
        let mut rest = first;
        let mut other = second;
        loop {
            let (byte, tail) = match rest.split_first() {
                Some((byte, tail)) => (*byte, tail),
                None if !other.is_empty() => {
                    rest = other;
                    other = &[];
                    continue;
                }
                None => return hash,
            };
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            rest = tail;
        }
    }
    let (name, version) = (what.as_bytes(), env!("CARGO_PKG_VERSION").as_bytes());
    let target = env!("MCP_OAUTH_TARGET").as_bytes();
    let layout = ((std::mem::size_of::<T>() as u64) << 16 | std::mem::align_of::<T>() as u64).to_le_bytes();
    sys::napi_type_tag {
        lower: fnv(fnv(0xcbf2_9ce4_8422_2325, name, version), target, &layout),
        upper: fnv(fnv(0x6d63_702d_6f61_7574, name, version), target, &layout),
    }
}

/// A string argument named `name`, as UTF-8 (lone surrogates become U+FFFD, as Node-API and napi-rs's
/// `String` write them). Anything else is an `ERR_INVALID_ARG_TYPE` error that names the argument and never
/// quotes the value (napi-rs's own conversion error prints it, and a secret may be inside). The text is
/// built in one buffer of its exact size, so a caller that wraps it in `Zeroizing` leaves no copy behind.
pub fn string_arg(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<String, JsErr> {
    let mut len = 0usize;
    // SAFETY: live handle; a null buffer asks for the length; a non-string is an error status.
    let status = unsafe { sys::napi_get_value_string_utf8(env.raw, value.raw, ptr::null_mut(), 0, &mut len) };
    expect_type(status, name, "a string")?;
    let mut bytes = vec![0u8; len + 1];
    let mut written = 0usize;
    // SAFETY: `bytes` holds `len + 1` bytes: the text and the NUL Node-API writes.
    env.check(unsafe {
        sys::napi_get_value_string_utf8(env.raw, value.raw, bytes.as_mut_ptr().cast(), bytes.len(), &mut written)
    })?;
    bytes.truncate(written);
    // Node-API writes UTF-8, so this cannot fail; should it, the bytes are wiped and an error returned.
    String::from_utf8(bytes).map_err(|err| {
        zeroize::Zeroize::zeroize(&mut err.into_bytes());
        js_error(Code::InvalidArgType, format!("{name} must be a string"))
    })
}

/// A string argument that holds no secret (a URL, a property name), as UTF-8: lone surrogates become
/// U+FFFD, as Node-API writes them. Most are short: a stack buffer serves them in one call instead of two.
pub fn text_arg(env: CallEnv<'_>, value: Value<'_>, name: &str) -> Result<String, JsErr> {
    let mut stack = [0u8; 256];
    let mut written = 0usize;
    // SAFETY: `stack` has `stack.len()` bytes; Node-API writes at most that many, NUL included.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env.raw, value.raw, stack.as_mut_ptr().cast(), stack.len(), &mut written)
    };
    expect_type(status, name, "a string")?;
    // Node-API truncates at a character boundary without saying so: a result that leaves room for one
    // more character (4 bytes at most) and the NUL was not truncated.
    let bytes = if written + 5 <= stack.len() {
        stack.get(..written).unwrap_or_default().to_vec()
    } else {
        let mut len = 0usize;
        // SAFETY: a null buffer asks for the length in bytes.
        env.check(unsafe { sys::napi_get_value_string_utf8(env.raw, value.raw, ptr::null_mut(), 0, &mut len) })?;
        let mut buf = vec![0u8; len + 1];
        // SAFETY: `buf` holds `len + 1` bytes, room for the text and the NUL Node-API writes.
        env.check(unsafe {
            sys::napi_get_value_string_utf8(env.raw, value.raw, buf.as_mut_ptr().cast(), buf.len(), &mut written)
        })?;
        buf.truncate(written);
        buf
    };
    // Node-API writes UTF-8 (lone surrogates become U+FFFD), so this cannot fail; be safe anyway.
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Reads a string argument's UTF-16 code units into `buffer` (one copy; `buffer` keeps its capacity).
pub fn utf16_arg(env: CallEnv<'_>, value: Value<'_>, buffer: &mut Vec<u16>, name: &str) -> Result<(), JsErr> {
    buffer.clear();
    // A reused buffer usually holds the whole string: one call copies it. Node-API writes at most
    // `capacity - 1` code units and a NUL, so a string that filled that may have been cut: only then is
    // its length asked, and it is copied again into a buffer that holds it.
    if buffer.capacity() < UTF16_FIRST_TRY {
        buffer.reserve(UTF16_FIRST_TRY);
    }
    let written = utf16_into(env, value, buffer, name)?;
    if written + 1 < buffer.capacity() {
        return Ok(());
    }
    let mut len = 0usize;
    // SAFETY: a null buffer asks for the length in code units; a non-string is an error status.
    let status = unsafe { sys::napi_get_value_string_utf16(env.raw, value.raw, ptr::null_mut(), 0, &mut len) };
    expect_type(status, name, "a string")?;
    // The first copy held input text: wiped before `reserve` moves the buffer and frees its old block.
    zeroize::Zeroize::zeroize(buffer.as_mut_slice());
    buffer.clear();
    buffer.reserve(len + 1);
    utf16_into(env, value, buffer, name)?;
    Ok(())
}

/// The capacity `utf16_arg` first copies into.
const UTF16_FIRST_TRY: usize = 256;

/// Copies as much of the string `value` as fits into the spare capacity of the empty `buffer` (less one
/// code unit, for Node-API's NUL), sets its length, and returns it. Written into the spare capacity, not
/// into a zero-filled buffer: no pass over memory that Node-API overwrites at once.
fn utf16_into(env: CallEnv<'_>, value: Value<'_>, buffer: &mut Vec<u16>, name: &str) -> Result<usize, JsErr> {
    let capacity = buffer.capacity();
    let mut written = 0usize;
    // SAFETY: the buffer is empty and has room for `capacity` code units; Node-API writes at most
    // `capacity - 1` of them and a NUL. A non-string is an error status.
    let status =
        unsafe { sys::napi_get_value_string_utf16(env.raw, value.raw, buffer.as_mut_ptr(), capacity, &mut written) };
    expect_type(status, name, "a string")?;
    let written = written.min(capacity.saturating_sub(1));
    // SAFETY: Node-API initialized the first `written` code units (`written < capacity`).
    unsafe { buffer.set_len(written) };
    Ok(written)
}

/// A JavaScript string of these UTF-16 code units.
pub fn utf16_string<'a>(env: CallEnv<'a>, units: &[u16]) -> Result<Value<'a>, JsErr> {
    let mut out = ptr::null_mut();
    // SAFETY: `units` holds `units.len()` code units.
    env.check(unsafe { sys::napi_create_string_utf16(env.raw, units.as_ptr(), units.len() as isize, &mut out) })?;
    Ok(env.wrap(out))
}

/// A JavaScript string of this UTF-8 text. Tokens and secrets are nearly always ASCII: as Latin-1 the
/// engine copies the bytes as they are instead of decoding UTF-8 (the same string either way, for ASCII).
pub fn utf8_string<'a>(env: CallEnv<'a>, text: &[u8]) -> Result<Value<'a>, JsErr> {
    let mut out = ptr::null_mut();
    // SAFETY: `text` is valid for its length; Latin-1 only for pure ASCII, which it then equals.
    env.check(unsafe {
        if text.is_ascii() {
            sys::napi_create_string_latin1(env.raw, text.as_ptr().cast(), text.len() as isize, &mut out)
        } else {
            sys::napi_create_string_utf8(env.raw, text.as_ptr().cast(), text.len() as isize, &mut out)
        }
    })?;
    Ok(env.wrap(out))
}

/// The `f64`s of an `ArrayBuffer` argument (a `SharedArrayBuffer` is refused: Node-API's
/// `napi_get_arraybuffer_info` takes only an `ArrayBuffer`). The pointer is read directly; a typed array
/// would first have its buffer object materialized.
///
/// # Safety
/// The memory must not change while the slice is used: no JavaScript may run in the call meanwhile.
pub unsafe fn f64_slots<'a>(env: CallEnv<'a>, value: Value<'a>, name: &str) -> Result<&'a [f64], JsErr> {
    let mut data = ptr::null_mut();
    let mut byte_length = 0usize;
    // SAFETY: live handle; a value that is not an ArrayBuffer is an error status.
    let status = unsafe { sys::napi_get_arraybuffer_info(env.raw, value.raw, &mut data, &mut byte_length) };
    expect_type(status, name, "an ArrayBuffer")?;
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

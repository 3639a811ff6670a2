//! `NativeKeyring`: the native half of `CredentialEncryption`.
//!
//! `lib/encryption.js` owns what only JavaScript can do (reading the calling context's `process.env`,
//! the error classes); this class owns the keys. Keys are derived once per `setSecret` and kept as AES
//! key schedules that are zeroized when replaced or when the object is collected.
//!
//! The keyring sits behind an `Arc`, replaced (never mutated) when a secret changes, so that a batch
//! re-encryption running on the libuv pool keeps the keys it started with.
//!
//! Keys are reachable only through their owner: `newKeyring` returns a handle (a tagged `External`, see
//! [`raw::Owned`]) that `lib/encryption.js` keeps in a private field of its `CredentialEncryption`; the
//! hot functions and `NativeKeyring` take that handle, never a number any code could guess.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use mcp_oauth_credentials_core::record::{row_aad, seal_credentials_in_place, RowField, RowIdentity};
use mcp_oauth_credentials_core::{CryptoError, KeyVersion, Keyring, Sealed};

use napi::bindgen_prelude::{AsyncTask, Buffer, Env, Unknown, Utf16String};
use napi::Task;
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::errors::{from_crypto, from_keyring, js_error, Code, JsErr};
use crate::raw;

/// What a keyring handle owns: one `CredentialEncryption`'s keyring, replaced when a secret or the
/// current version changes. Shared by the handle and the `NativeKeyring` made from it (one JavaScript
/// thread: an `External` cannot cross to another).
pub struct KeyCell {
    ring: RefCell<Arc<Keyring>>,
}

impl KeyCell {
    /// The keyring of this moment (no JavaScript runs while a native call uses it, so nothing replaces it
    /// meanwhile; should the cell be busy all the same, that is an internal error, not a panic).
    fn ring(&self) -> Result<Arc<Keyring>, JsErr> {
        self.ring
            .try_borrow()
            .map(|ring| Arc::clone(&ring))
            .map_err(|_| js_error(Code::Internal, "the keyring is in use"))
    }
}

/// V8's longest string (`buffer.constants.MAX_STRING_LENGTH` on 64-bit platforms): a longer UTF-8 text
/// cannot become a string, and Node-API would fail with a bare status code.
const MAX_STRING_BYTES: usize = 536_870_888;

const KEYRING_TAG: raw::Tag = raw::build_tag::<Rc<KeyCell>>("mcp-oauth-credentials keyring");
/// Keyring handles.
const KEYRINGS: raw::Owned<Rc<KeyCell>> = raw::Owned::new(&KEYRING_TAG);

/// Checks a key version given as a JavaScript number.
#[allow(
    clippy::cast_possible_truncation,
    reason = "`as` saturates for finite values, and the result is range-checked"
)]
fn key_version(argument: &str, value: f64) -> Result<KeyVersion, JsErr> {
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(js_error(
            Code::InvalidArgType,
            format!("{argument} must be an integer from 1 to 2147483647"),
        ));
    }
    // `as` saturates for finite values beyond i64, which KeyVersion::new then rejects.
    KeyVersion::new(value as i64).map_err(|err| from_keyring(argument, err))
}

/// A sealed value as JavaScript sees it.
#[napi(object)]
pub struct NativeSealed {
    /// `iv | tag | ciphertext`.
    pub ciphertext: Buffer,
    /// The key version that sealed it.
    pub enc_key_version: u32,
}

impl From<Sealed> for NativeSealed {
    fn from(sealed: Sealed) -> Self {
        Self {
            ciphertext: sealed.ciphertext.into(),
            enc_key_version: sealed.version.get(),
        }
    }
}

/// A user id as a JavaScript number: a positive safe integer.
#[allow(
    clippy::cast_possible_truncation,
    reason = "the value was checked to be a safe integer"
)]
fn user_id(value: f64) -> Result<u64, JsErr> {
    if value.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&value) {
        Ok(value as u64)
    } else {
        Err(js_error(Code::OutOfRange, "userId must be a positive safe integer"))
    }
}

/// The associated data binding a value to `(userId, mcpServerId, field)`; see `core/src/record.rs`.
#[napi]
pub fn credential_row_aad(
    env: Env,
    user: f64,
    mcp_server_id: Utf16String,
    #[napi(ts_arg_type = "string")] field: Unknown<'_>,
) -> Result<Buffer, JsErr> {
    let env = raw::CallEnv::of(&env);
    let field = raw::string_arg(env, env.value(&field), "field")?;
    let field = match field.as_str() {
        "refreshToken" => RowField::RefreshToken,
        "clientSecret" => RowField::ClientSecret,
        _ => {
            return Err(js_error(
                Code::InvalidArgType,
                "field must be 'refreshToken' or 'clientSecret'",
            ))
        }
    };
    Ok(row_aad(user_id(user)?, &mcp_server_id, field).into())
}

/// Registers the hand-registered functions of this module (see `src/raw.rs`) on `exports`.
pub fn register(env: raw::CallEnv<'_>, exports: raw::Value<'_>) -> Result<(), JsErr> {
    raw::export(env, exports, c"newKeyring", new_keyring)?;
    raw::export(env, exports, c"sealWithKeyring", seal_with_keyring)?;
    raw::export(env, exports, c"decryptWithKeyring", decrypt_with_keyring)
}

raw::callback!(
    /// `newKeyring(current: number): External`. A handle that owns a new, empty keyring whose current version
    /// is `current`: the only way to its keys (pass it to `sealWithKeyring`, `decryptWithKeyring` and
    /// `new NativeKeyring(handle)`).
    new_keyring,
    1,
    new_keyring_body
);

fn new_keyring_body<'a>(env: raw::CallEnv<'a>, [current]: [raw::Value<'a>; 1]) -> Result<raw::Value<'a>, JsErr> {
    let current = key_version("current", raw::f64_arg(env, current, "current")?)?;
    let cell = Rc::new(KeyCell {
        ring: RefCell::new(Arc::new(Keyring::new(current))),
    });
    KEYRINGS.create(env, cell)
}

raw::callback!(
    /// `sealWithKeyring(handle: External, buffer: Uint8Array, aad?: Uint8Array): number`. Seals in place under
    /// the handle's keyring: `buffer` is 28 bytes of room for the IV and tag, then the UTF-8 plaintext, which
    /// `lib/encryption.js` wrote there (`Buffer.write`, the same UTF-8 as node:crypto). The plaintext is
    /// encrypted where it lies, so it is never copied into Rust memory; on failure it is zeroized. Returns the
    /// key version. A plain function of the handle, not a method: the hot path (a class method pays for
    /// napi-rs's unwrapping of `this` on every call).
    seal_with_keyring,
    3,
    seal_with_keyring_body
);

fn seal_with_keyring_body<'a>(
    env: raw::CallEnv<'a>,
    [handle, buffer, aad]: [raw::Value<'a>; 3],
) -> Result<raw::Value<'a>, JsErr> {
    let cell = KEYRINGS.get(env, handle, "handle")?;
    let target = raw::uint8_array(env, buffer, "buffer")?;
    let aad_range = raw::optional_uint8_array(env, Some(aad), "aad")?;
    // The associated data could be a view over the very memory being sealed (a Uint8Array over Buffer's
    // shared pool): then it is copied first, so that no byte is both read and written through two slices.
    let aad_copy: Option<Vec<u8>> = match aad_range {
        // SAFETY: a range of this call, read before the sealing writes anything.
        Some(range) if raw::overlap(range, target) => Some(unsafe { raw::bytes(range) }.to_vec()),
        _ => None,
    };
    // SAFETY: a range of this call; no JavaScript runs while it is used; `aad` does not overlap it (above).
    let buffer = unsafe { raw::bytes_mut(target) };
    let aad: &[u8] = match (&aad_copy, aad_range) {
        (Some(copy), _) => copy,
        // SAFETY: a range of this call that does not overlap `buffer`.
        (None, Some(range)) => unsafe { raw::bytes(range) },
        (None, None) => &[],
    };
    let version = cell.ring()?.seal_in_place(buffer, aad).map_err(from_crypto)?;
    raw::number(env, version.get())
}

raw::callback!(
    /// `decryptWithKeyring(handle: External, value: Uint8Array, version: number, aad?: Uint8Array): string`.
    /// Opens a stored value sealed under `version` with the handle's keyring (the hot path). The JavaScript string is
    /// copied from a per-thread scratch buffer that is zeroized right after.
    decrypt_with_keyring,
    4,
    decrypt_with_keyring_body
);

fn decrypt_with_keyring_body<'a>(
    env: raw::CallEnv<'a>,
    [handle, value, version, aad]: [raw::Value<'a>; 4],
) -> Result<raw::Value<'a>, JsErr> {
    let cell = KEYRINGS.get(env, handle, "handle")?;
    let version = key_version("encKeyVersion", raw::f64_arg(env, version, "encKeyVersion")?)?;
    // SAFETY: ranges of this call, only read, while no JavaScript runs.
    let value = unsafe { raw::bytes(raw::uint8_array(env, value, "value")?) };
    // SAFETY: as above.
    let aad = raw::optional_uint8_array(env, Some(aad), "aad")?.map_or(&[][..], |range| unsafe { raw::bytes(range) });
    let ring = cell.ring()?;
    ring.decrypt_with(value, version, aad, |text| {
        if text.len() > MAX_STRING_BYTES {
            return Err(js_error(
                Code::OutOfRange,
                "the plaintext is longer than the longest JavaScript string (536870888 bytes as UTF-8)",
            ));
        }
        raw::utf8_string(env, text.as_bytes())
    })
    .map_err(from_crypto)?
}

/// A re-encrypted batch (see `NativeKeyring#reencryptPacked`).
#[napi(object)]
pub struct NativeReencryptedBatch {
    /// The new values back to back, in the items' order; each is as long as the value it replaces.
    pub values: Buffer,
    /// One byte per item: 0 re-encrypted, 1 could not be opened (its bytes in `values` are zero).
    pub failed: Buffer,
    /// The key version every new value is sealed under.
    pub enc_key_version: u32,
    /// When the whole batch failed: the error code (`executor_encryption_key_missing`, ...).
    pub error: Option<String>,
}

/// Versioned AES-256-GCM keys: the methods of a keyring handle (see `newKeyring`).
#[napi]
pub struct NativeKeyring {
    cell: Rc<KeyCell>,
}

impl NativeKeyring {
    fn ring(&self) -> Result<Arc<Keyring>, JsErr> {
        self.cell.ring()
    }

    fn update(&self, ring: Keyring) -> Result<(), JsErr> {
        let mut slot = self
            .cell
            .ring
            .try_borrow_mut()
            .map_err(|_| js_error(Code::Internal, "the keyring is in use"))?;
        *slot = Arc::new(ring);
        Ok(())
    }
}

#[napi]
impl NativeKeyring {
    /// The methods of the keyring `handle` owns (a `newKeyring` handle; anything else is a TypeError).
    #[napi(constructor)]
    pub fn new(env: Env, handle: Unknown<'_>) -> Result<Self, JsErr> {
        let env = raw::CallEnv::of(&env);
        let cell = KEYRINGS.get(env, env.value(&handle), "handle")?;
        Ok(Self { cell: Rc::clone(cell) })
    }

    /// Derives and stores the key of `version`; an empty secret removes it.
    #[napi]
    pub fn set_secret(
        &mut self,
        env: Env,
        version: f64,
        #[napi(ts_arg_type = "string")] secret: Unknown<'_>,
    ) -> Result<(), JsErr> {
        let env = raw::CallEnv::of(&env);
        let secret = Zeroizing::new(raw::string_arg(env, env.value(&secret), "secret")?);
        let version = key_version("version", version)?;
        let mut ring = (*self.ring()?).clone();
        ring.set_secret(version, &secret);
        self.update(ring)
    }

    /// Makes `version` the one new values are sealed under.
    #[napi]
    pub fn set_current(&mut self, version: f64) -> Result<(), JsErr> {
        let version = key_version("current", version)?;
        let current = self.ring()?;
        if version != current.current() {
            let mut ring = (*current).clone();
            ring.set_current(version);
            self.update(ring)?;
        }
        Ok(())
    }

    /// The version new values are sealed under.
    #[napi(getter)]
    pub fn current(&self) -> Result<u32, JsErr> {
        Ok(self.ring()?.current().get())
    }

    /// Whether the current version has a key.
    #[napi(getter)]
    pub fn has_key(&self) -> Result<bool, JsErr> {
        Ok(self.ring()?.has_key())
    }

    /// Seals a deposit's refresh token and client secret in place in one call (the mapper's native path;
    /// buffers as for `sealWithKeyring`), bound to the row `(userId, mcpServerId)` when both are given.
    /// Returns the key version of both.
    #[napi]
    pub fn seal_credentials_in_place(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Uint8Array")] refresh_token: Unknown<'_>,
        #[napi(ts_arg_type = "Uint8Array | undefined | null")] client_secret: Option<Unknown<'_>>,
        user: Option<f64>,
        mcp_server_id: Option<Utf16String>,
    ) -> Result<u32, JsErr> {
        let env = raw::CallEnv::of(&env);
        let refresh_token = raw::uint8_array(env, env.value(&refresh_token), "refreshToken")?;
        let client_secret = raw::optional_uint8_array(
            env,
            client_secret.as_ref().map(|secret| env.value(secret)),
            "clientSecret",
        )?;
        if client_secret.is_some_and(|secret| raw::overlap(refresh_token, secret)) {
            return Err(js_error(Code::InvalidArgType, "the two buffers must not overlap"));
        }
        // SAFETY: `uint8_array` gave the caller's live, unshared bytes for this call, and no JavaScript runs
        // until it returns; the two buffers were just checked not to overlap, so the two mutable slices
        // never alias.
        let refresh_token = unsafe { raw::bytes_mut(refresh_token) };
        // SAFETY: as above, for the client secret's buffer.
        let client_secret = client_secret.map(|secret| unsafe { raw::bytes_mut(secret) });
        let user = user.map(user_id).transpose()?;
        let row = match (user, mcp_server_id.as_ref()) {
            (Some(user_id), Some(server)) => Some(RowIdentity {
                user_id,
                mcp_server_id: server,
            }),
            _ => None,
        };
        let ring = self.ring()?;
        let version = seal_credentials_in_place(&ring, refresh_token, client_secret, row).map_err(from_crypto)?;
        Ok(version.get())
    }

    /// Opens a value sealed under `version` and seals it again under the current key.
    #[napi]
    pub fn reencrypt(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Uint8Array")] value: Unknown<'_>,
        version: f64,
        #[napi(ts_arg_type = "Uint8Array | undefined | null")] aad: Option<Unknown<'_>>,
    ) -> Result<NativeSealed, JsErr> {
        let env = raw::CallEnv::of(&env);
        // SAFETY: `uint8_array` gives live, unshared bytes of this call's arguments; nothing writes them
        // during the call.
        let value = unsafe { raw::bytes(raw::uint8_array(env, env.value(&value), "value")?) };
        let aad = raw::optional_uint8_array(env, aad.as_ref().map(|aad| env.value(aad)), "aad")?
            // SAFETY: as above.
            .map_or(&[][..], |range| unsafe { raw::bytes(range) });
        let version = key_version("encKeyVersion", version)?;
        let sealed = self.ring()?.reencrypt(value, version, aad).map_err(from_crypto)?;
        Ok(sealed.into())
    }

    /// Re-encrypts a batch on the libuv thread pool. The batch comes packed, so that handing it over costs
    /// the JavaScript thread a few copies rather than a conversion per item: `values` holds the stored
    /// values back to back, `aads` their associated data back to back, and `layout` three numbers per
    /// item: the value's length, its key version, its associated data's length. They are copied here; the
    /// cryptography runs off the JavaScript thread, with the keys of this moment.
    #[napi(ts_return_type = "Promise<NativeReencryptedBatch>")]
    pub fn reencrypt_packed(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Uint8Array")] values: Unknown<'_>,
        #[napi(ts_arg_type = "Uint32Array")] layout: Unknown<'_>,
        #[napi(ts_arg_type = "Uint8Array")] aads: Unknown<'_>,
    ) -> Result<AsyncTask<ReencryptPacked>, JsErr> {
        let env = raw::CallEnv::of(&env);
        // SAFETY: `uint8_array` and `uint32_array` give live, unshared memory of this call's arguments, and
        // nothing writes it during the call (it is copied below, before the call returns).
        let values = unsafe { raw::bytes(raw::uint8_array(env, env.value(&values), "values")?) };
        // SAFETY: as above.
        let aads = unsafe { raw::bytes(raw::uint8_array(env, env.value(&aads), "aads")?) };
        let (layout_data, layout_len) = raw::uint32_array(env, env.value(&layout), "layout")?;
        let layout: &[u32] = if layout_len == 0 {
            &[]
        } else {
            // SAFETY: as above; `uint32_array` checked the pointer's alignment, and `layout_len` is its
            // element count.
            unsafe { std::slice::from_raw_parts(layout_data, layout_len) }
        };
        if !layout.len().is_multiple_of(3) {
            return Err(js_error(
                Code::InvalidArgType,
                "layout must hold three numbers per item",
            ));
        }
        let (mut value_total, mut aad_total) = (0usize, 0usize);
        for item in layout.chunks_exact(3) {
            let &[len, version, aad_len] = item else { continue };
            key_version("encKeyVersion", f64::from(version))?;
            value_total = value_total.saturating_add(len as usize);
            aad_total = aad_total.saturating_add(aad_len as usize);
        }
        if value_total != values.len() || aad_total != aads.len() {
            return Err(js_error(
                Code::InvalidArgType,
                "layout does not match the packed values",
            ));
        }
        Ok(AsyncTask::new(ReencryptPacked {
            ring: self.ring()?,
            values: values.to_vec(),
            layout: layout.to_vec(),
            aads: aads.to_vec(),
        }))
    }
}

/// The off-thread half of `reencryptPacked`.
pub struct ReencryptPacked {
    ring: Arc<Keyring>,
    values: Vec<u8>,
    layout: Vec<u32>,
    aads: Vec<u8>,
}

/// The computed batch: new values, per-item failures, the version, or a whole-batch error code.
pub struct PackedOutcome {
    values: Vec<u8>,
    failed: Vec<u8>,
    version: u32,
    error: Option<String>,
}

impl Task for ReencryptPacked {
    type Output = PackedOutcome;
    type JsValue = NativeReencryptedBatch;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let count = self.layout.len() / 3;
        let mut out = PackedOutcome {
            values: vec![0u8; self.values.len()],
            failed: vec![0u8; count],
            version: self.ring.current().get(),
            error: None,
        };
        if !self.ring.has_key() {
            out.error = Some(from_crypto(CryptoError::KeyMissing).status.as_ref().to_owned());
            return Ok(out);
        }
        let (mut at, mut aad_at) = (0usize, 0usize);
        for (index, item) in self.layout.chunks_exact(3).enumerate() {
            let &[len, version, aad_len] = item else { continue };
            let (len, aad_len) = (len as usize, aad_len as usize);
            let value = self.values.get(at..at + len).unwrap_or_default();
            let aad = self.aads.get(aad_at..aad_at + aad_len).unwrap_or_default();
            let moved = KeyVersion::new(i64::from(version))
                .map_err(|_| CryptoError::Decryption)
                .and_then(|version| self.ring.reencrypt(value, version, aad));
            match moved {
                Ok(sealed) => {
                    if let Some(slot) = out.values.get_mut(at..at + len) {
                        slot.copy_from_slice(&sealed.ciphertext);
                    }
                }
                Err(CryptoError::Decryption) => {
                    if let Some(flag) = out.failed.get_mut(index) {
                        *flag = 1;
                    }
                }
                Err(other) => {
                    out.error = Some(from_crypto(other).status.as_ref().to_owned());
                    return Ok(out);
                }
            }
            at += len;
            aad_at += aad_len;
        }
        Ok(out)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(NativeReencryptedBatch {
            values: output.values.into(),
            failed: output.failed.into(),
            enc_key_version: output.version,
            error: output.error,
        })
    }
}

//! Typed failures of the cryptographic core.
//!
//! Every message here is fixed text: no variant carries a secret, a plaintext, a ciphertext or a key,
//! so an error can be logged, serialised or shown to a client without leaking anything.

use thiserror::Error;

/// Failures of encryption and decryption.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum CryptoError {
    /// No secret is configured for the current key version (the executor's
    /// `FOREST_EXECUTOR_ENCRYPTION_KEY` is unset or empty).
    #[error("FOREST_EXECUTOR_ENCRYPTION_KEY is not set")]
    KeyMissing,
    /// The value could not be opened. Deliberately one variant for every cause (corruption,
    /// truncation, wrong key, unknown key version, wrong associated data, non-UTF-8 plaintext):
    /// telling them apart would hand an attacker an oracle.
    #[error(
        "credential decryption failed: the value is corrupted, or the key, key version or associated data does not match"
    )]
    Decryption,
    /// A plaintext longer than GCM's limit of 2^36 − 32 bytes.
    #[error("the plaintext is longer than AES-GCM allows")]
    TooLong,
    /// An output buffer of the wrong size (a caller bug: the layout is `iv | tag | ciphertext`).
    #[error("the output buffer does not have room for the IV, the tag and the plaintext")]
    Layout,
    /// The operating system's random number generator failed to produce an IV.
    #[error("the operating system's random number generator failed")]
    Random,
}

/// A keyring or key version that is malformed. These are programming or configuration errors, reported
/// to JavaScript as `TypeError`/`RangeError`. The messages name no value: they reach whoever calls the
/// binding, and a rejected value is the caller's (the variants keep it, for Rust callers).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KeyringError {
    /// A key version outside `1..=2^31-1` (the `enc_key_version` column is a signed 32-bit integer).
    #[error("a key version must be an integer from 1 to 2147483647")]
    VersionOutOfRange(i64),
    /// The same version appears twice in a keyring.
    #[error("a key version appears more than once")]
    DuplicateVersion(u32),
    /// The current version has no entry in the keyring.
    #[error("the current key version is missing from keys")]
    CurrentMissing(u32),
}

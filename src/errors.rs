//! Core failures as JavaScript errors.
//!
//! The error's `code` property carries a [`Code`]; `lib/errors.js` maps the codes to
//! `ExecutorEncryptionKeyMissingError`, `CredentialDecryptionError`, `TypeError` and `RangeError`. The
//! messages come from the core's fixed texts and never contain a secret or a plaintext.

use mcp_oauth_credentials_core::{CryptoError, KeyringError};

/// The `code` of an error thrown by the addon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// No secret for the current key version.
    KeyMissing,
    /// Any failure to open a stored value.
    DecryptionFailed,
    /// An argument of the wrong type (JavaScript `TypeError`).
    InvalidArgType,
    /// An argument outside its range (JavaScript `RangeError`).
    OutOfRange,
    /// Something that should not happen (the OS random generator failed, the engine refused a value).
    Internal,
    /// A JavaScript exception (thrown by a getter or a proxy trap of the input) is pending and must
    /// propagate unchanged; napi-rs recognises this status and does not throw again.
    PendingException,
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        match self {
            Code::KeyMissing => "executor_encryption_key_missing",
            Code::DecryptionFailed => "credential_decryption_failed",
            Code::InvalidArgType => "ERR_INVALID_ARG_TYPE",
            Code::OutOfRange => "ERR_OUT_OF_RANGE",
            Code::Internal => "ERR_MCP_OAUTH_INTERNAL",
            Code::PendingException => "PendingException",
        }
    }
}

/// A JavaScript error with a [`Code`].
pub type JsErr = napi::Error<Code>;

/// An error with `code` and a fixed message.
pub fn js_error(code: Code, message: impl Into<String>) -> JsErr {
    napi::Error::new(code, message.into())
}

/// Maps a core cryptographic failure.
pub fn from_crypto(err: CryptoError) -> JsErr {
    let code = match err {
        CryptoError::KeyMissing => Code::KeyMissing,
        CryptoError::Decryption => Code::DecryptionFailed,
        CryptoError::TooLong => Code::OutOfRange,
        CryptoError::Random | CryptoError::Layout => Code::Internal,
    };
    js_error(code, err.to_string())
}

/// Maps a malformed keyring or key version, naming the argument it came from.
pub fn from_keyring(argument: &str, err: KeyringError) -> JsErr {
    let code = match err {
        KeyringError::VersionOutOfRange(_) => Code::OutOfRange,
        KeyringError::DuplicateVersion(_) | KeyringError::CurrentMissing(_) => Code::InvalidArgType,
    };
    js_error(code, format!("{argument}: {err}"))
}

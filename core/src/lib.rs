//! The rules and the cryptography of `mcp-oauth-credentials`, with no Node.js types.
//!
//! The Node.js addon (the crate at the repository root) only converts values and errors; everything
//! that decides a verdict or touches a key lives here and is tested with `cargo test`.
//!
//! Modules, one concept each:
//! - [`kdf`]: HKDF-SHA256 and the derivation of a key from the executor's secret string;
//! - [`cipher`]: AES-256-GCM sealing and opening of the stored `iv | tag | ciphertext` layout;
//! - [`keyring`]: versioned keys (`enc_key_version`), rotation;
//! - [`guard`]: the SSRF guard that refuses unsafe OAuth token endpoints;
//! - [`record`]: sealing a deposit's secrets for its row, and the row-binding associated data;
//! - [`validation`]: the zod-compatible JSON Schema engine, its issue model and the deposit schema;
//! - [`error`]: the typed failures, none of which carries a secret or a plaintext.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cipher;
pub mod error;
pub mod guard;
pub mod kdf;
pub mod keyring;
pub mod record;
pub mod validation;

pub use cipher::{Cipher, IV_LEN, MIN_SEALED_LEN, TAG_LEN};
pub use error::{CryptoError, KeyringError};
pub use guard::{check_token_endpoint, GuardReason};
pub use kdf::{derive_key, DerivedKey, HKDF_INFO, KEY_LEN};
pub use keyring::{KeyVersion, Keyring, Sealed};

//! The rules and the cryptography of `mcp-oauth-credentials`, with no Node.js types.
//!
//! The Node.js addon (the crate at the repository root) only converts values and errors; everything
//! that decides a verdict or touches a key lives here and is tested with `cargo test`.
//!
//! Modules, one concept each:
//! - [`kdf`]: HKDF-SHA256 and the derivation of a key from the executor's secret string;
//! - [`cipher`]: AES-256-GCM sealing and opening of the stored `iv | tag | ciphertext` layout;
//! - [`keyring`]: versioned keys (`enc_key_version`), rotation;
//! - [`error`]: the typed failures, none of which carries a secret or a plaintext.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cipher;
pub mod error;
pub mod kdf;
pub mod keyring;

pub use cipher::{Cipher, IV_LEN, MIN_SEALED_LEN, TAG_LEN};
pub use error::{CryptoError, KeyringError};
pub use kdf::{derive_key, DerivedKey, HKDF_INFO, KEY_LEN};
pub use keyring::{KeyVersion, Keyring, Sealed};

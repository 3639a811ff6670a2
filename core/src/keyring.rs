//! Versioned keys: the `enc_key_version` column and key rotation.
//!
//! Every stored value records the version of the key that sealed it. A keyring maps versions to
//! secrets and names the current one: new values are sealed under the current key, old values open
//! under the key of their own version until [`Keyring::reencrypt`] moves them forward.
//!
//! A keyring without a secret for its current version is valid (the executor boots without
//! `FOREST_EXECUTOR_ENCRYPTION_KEY` and only warns); every operation on it then fails with
//! [`CryptoError::KeyMissing`], which the executor answers with 503.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::cipher::Cipher;
use crate::error::{CryptoError, KeyringError};
use crate::kdf::derive_key;

/// A key version: an integer from 1 to 2³¹ − 1, so that it fits the signed 32-bit `enc_key_version`
/// column of every database the executor supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyVersion(u32);

impl KeyVersion {
    /// The version a single secret gets.
    pub const FIRST: KeyVersion = KeyVersion(1);
    /// The largest version a signed 32-bit column holds.
    pub const MAX: u32 = i32::MAX as u32;

    /// Checks that `value` is a valid key version.
    #[allow(clippy::cast_possible_truncation, reason = "the value was range-checked just before")]
    pub fn new(value: i64) -> Result<Self, KeyringError> {
        if (1..=i64::from(Self::MAX)).contains(&value) {
            Ok(Self(value as u32))
        } else {
            Err(KeyringError::VersionOutOfRange(value))
        }
    }

    /// The version as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A value sealed by a keyring, with the version of the key that sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// `iv | tag | ciphertext`, as stored.
    pub ciphertext: Vec<u8>,
    /// The key version to store beside it.
    pub version: KeyVersion,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("len", &self.ciphertext.len())
            .field("version", &self.version.0)
            .finish()
    }
}

/// Versioned AES-256-GCM keys, each derived once from its secret.
#[derive(Clone)]
pub struct Keyring {
    current: KeyVersion,
    keys: BTreeMap<KeyVersion, Cipher>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.0)
            .field("versions", &self.keys.keys().map(|v| v.0).collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    /// A keyring with no secrets yet, whose current version is `current`.
    pub fn new(current: KeyVersion) -> Self {
        Self {
            current,
            keys: BTreeMap::new(),
        }
    }

    /// One secret as version 1. An empty secret counts as no secret (lazy key).
    pub fn single(secret: &str) -> Self {
        let mut ring = Self::new(KeyVersion::FIRST);
        ring.set_secret(KeyVersion::FIRST, secret);
        ring
    }

    /// A keyring from `(version, secret)` entries. Versions must be unique and `current` must be one of
    /// them; an empty secret counts as no secret for its version.
    pub fn from_secrets<'a, I>(current: KeyVersion, entries: I) -> Result<Self, KeyringError>
    where
        I: IntoIterator<Item = (KeyVersion, &'a str)>,
    {
        let mut ring = Self::new(current);
        let mut seen = std::collections::BTreeSet::new();
        for (version, secret) in entries {
            if !seen.insert(version) {
                return Err(KeyringError::DuplicateVersion(version.0));
            }
            ring.set_secret(version, secret);
        }
        if !seen.contains(&current) {
            return Err(KeyringError::CurrentMissing(current.0));
        }
        Ok(ring)
    }

    /// Sets (derives) the key of `version`; an empty secret removes it.
    pub fn set_secret(&mut self, version: KeyVersion, secret: &str) {
        if secret.is_empty() {
            self.keys.remove(&version);
        } else {
            self.keys.insert(version, Cipher::new(&derive_key(secret)));
        }
    }

    /// Makes `version` the one new values are sealed under.
    pub fn set_current(&mut self, version: KeyVersion) {
        self.current = version;
    }

    /// The version new values are sealed under.
    pub fn current(&self) -> KeyVersion {
        self.current
    }

    /// Whether the current version has a secret, i.e. whether encryption can work.
    pub fn has_key(&self) -> bool {
        self.keys.contains_key(&self.current)
    }

    /// Whether a value sealed under `version` should be moved to the current key.
    pub fn needs_reencrypt(&self, version: KeyVersion) -> bool {
        version != self.current
    }

    fn current_cipher(&self) -> Result<&Cipher, CryptoError> {
        self.keys.get(&self.current).ok_or(CryptoError::KeyMissing)
    }

    /// Seals `plaintext` under the current key.
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, CryptoError> {
        let ciphertext = self.current_cipher()?.seal(plaintext, aad)?;
        Ok(Sealed {
            ciphertext,
            version: self.current,
        })
    }

    /// Seals in place under the current key (see [`crate::Cipher::seal_in_place`]), returning the version
    /// to store beside the value. On any failure, a missing key included, the plaintext is zeroized.
    pub fn seal_in_place(&self, buffer: &mut [u8], aad: &[u8]) -> Result<KeyVersion, CryptoError> {
        match self.current_cipher() {
            Ok(cipher) => cipher.seal_in_place(buffer, aad).map(|()| self.current),
            Err(err) => {
                zeroize::Zeroize::zeroize(buffer);
                Err(err)
            }
        }
    }

    /// Opens a value sealed under `version`. Without a current key this is [`CryptoError::KeyMissing`]
    /// (the executor is not configured); an unknown version is a [`CryptoError::Decryption`].
    pub fn decrypt(&self, sealed: &[u8], version: KeyVersion, aad: &[u8]) -> Result<Zeroizing<String>, CryptoError> {
        self.current_cipher()?;
        let cipher = self.keys.get(&version).ok_or(CryptoError::Decryption)?;
        cipher.open_str(sealed, aad)
    }

    /// As [`Keyring::decrypt`], handing the text to `use_text` from a per-thread scratch buffer instead of
    /// allocating a string (see [`crate::Cipher::open_str_with`]).
    pub fn decrypt_with<R>(
        &self,
        sealed: &[u8],
        version: KeyVersion,
        aad: &[u8],
        use_text: impl FnOnce(&str) -> R,
    ) -> Result<R, CryptoError> {
        self.current_cipher()?;
        let cipher = self.keys.get(&version).ok_or(CryptoError::Decryption)?;
        cipher.open_str_with(sealed, aad, use_text)
    }

    /// Opens a value sealed under `version` and seals its plaintext again under the current key, with the
    /// same associated data. The plaintext must be UTF-8, as [`Keyring::decrypt`] requires.
    pub fn reencrypt(&self, sealed: &[u8], version: KeyVersion, aad: &[u8]) -> Result<Sealed, CryptoError> {
        let plaintext = self.decrypt(sealed, version, aad)?;
        self.encrypt(plaintext.as_bytes(), aad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> KeyVersion {
        KeyVersion::new(n).expect("valid version")
    }

    #[test]
    fn versions_are_positive_signed_32_bit() {
        assert!(KeyVersion::new(0).is_err());
        assert!(KeyVersion::new(-1).is_err());
        assert_eq!(KeyVersion::new(1).map(KeyVersion::get), Ok(1));
        assert_eq!(KeyVersion::new(2_147_483_647).map(KeyVersion::get), Ok(2_147_483_647));
        assert_eq!(
            KeyVersion::new(2_147_483_648),
            Err(KeyringError::VersionOutOfRange(2_147_483_648))
        );
    }

    #[test]
    fn sealing_in_place_without_a_key_zeroizes_the_plaintext() {
        let mut buffer = vec![0u8; 28];
        buffer.extend_from_slice(b"secret");
        assert_eq!(
            Keyring::single("").seal_in_place(&mut buffer, b""),
            Err(CryptoError::KeyMissing)
        );
        assert!(buffer.iter().all(|b| *b == 0));
        let ring = Keyring::single("k");
        let mut buffer = vec![0u8; 28];
        buffer.extend_from_slice(b"secret");
        assert_eq!(ring.seal_in_place(&mut buffer, b""), Ok(KeyVersion::FIRST));
        assert_eq!(
            ring.decrypt(&buffer, KeyVersion::FIRST, b"").expect("opens").as_str(),
            "secret"
        );
    }

    #[test]
    fn lazy_key() {
        let ring = Keyring::single("");
        assert!(!ring.has_key());
        assert_eq!(ring.encrypt(b"x", b"").err(), Some(CryptoError::KeyMissing));
        assert_eq!(ring.decrypt(&[0u8; 40], v(1), b"").err(), Some(CryptoError::KeyMissing));
    }

    #[test]
    fn rotation_moves_values_forward() {
        let old = Keyring::single("old secret");
        let sealed = old.encrypt(b"refresh-token", b"").expect("seal");
        assert_eq!(sealed.version, v(1));

        let ring = Keyring::from_secrets(v(2), [(v(1), "old secret"), (v(2), "new secret")]).expect("keyring");
        assert!(ring.needs_reencrypt(v(1)));
        assert!(!ring.needs_reencrypt(v(2)));
        assert_eq!(
            ring.decrypt(&sealed.ciphertext, v(1), b"").expect("opens").as_str(),
            "refresh-token"
        );
        // The wrong version is a plain decryption failure.
        assert_eq!(
            ring.decrypt(&sealed.ciphertext, v(2), b"").err(),
            Some(CryptoError::Decryption)
        );
        assert_eq!(
            ring.decrypt(&sealed.ciphertext, v(3), b"").err(),
            Some(CryptoError::Decryption)
        );

        let moved = ring.reencrypt(&sealed.ciphertext, v(1), b"").expect("reencrypt");
        assert_eq!(moved.version, v(2));
        assert_eq!(
            ring.decrypt(&moved.ciphertext, v(2), b"").expect("opens").as_str(),
            "refresh-token"
        );
        assert!(old.decrypt(&moved.ciphertext, v(1), b"").is_err());
    }

    #[test]
    fn reencrypt_keeps_the_associated_data() {
        let ring = Keyring::from_secrets(v(2), [(v(1), "one"), (v(2), "two")]).expect("keyring");
        let old = Keyring::single("one").encrypt(b"t", b"ctx").expect("seal");
        assert_eq!(
            ring.reencrypt(&old.ciphertext, v(1), b"other").err(),
            Some(CryptoError::Decryption)
        );
        let moved = ring.reencrypt(&old.ciphertext, v(1), b"ctx").expect("reencrypt");
        assert_eq!(
            ring.decrypt(&moved.ciphertext, v(2), b"ctx").expect("opens").as_str(),
            "t"
        );
        assert!(ring.decrypt(&moved.ciphertext, v(2), b"").is_err());
    }

    #[test]
    fn malformed_keyrings_are_rejected() {
        assert_eq!(
            Keyring::from_secrets(v(1), [(v(1), "a"), (v(1), "b")]).err(),
            Some(KeyringError::DuplicateVersion(1))
        );
        assert_eq!(
            Keyring::from_secrets(v(3), [(v(1), "a")]).err(),
            Some(KeyringError::CurrentMissing(3))
        );
        // Present but empty: valid, lazily missing.
        let ring = Keyring::from_secrets(v(2), [(v(1), "a"), (v(2), "")]).expect("keyring");
        assert!(!ring.has_key());
    }

    #[test]
    fn set_secret_switches_keys() {
        let mut ring = Keyring::single("first");
        let sealed = ring.encrypt(b"x", b"").expect("seal");
        ring.set_secret(KeyVersion::FIRST, "second");
        assert_eq!(
            ring.decrypt(&sealed.ciphertext, v(1), b"").err(),
            Some(CryptoError::Decryption)
        );
        ring.set_secret(KeyVersion::FIRST, "");
        assert!(!ring.has_key());
    }

    #[test]
    fn debug_shows_versions_only() {
        let ring = Keyring::from_secrets(v(2), [(v(1), "s3cr3t-one"), (v(2), "s3cr3t-two")]).expect("keyring");
        let shown = format!("{ring:?}");
        assert_eq!(shown, "Keyring { current: 2, versions: [1, 2] }");
        let sealed = ring.encrypt(b"plaintext-value", b"").expect("seal");
        assert_eq!(format!("{sealed:?}"), "Sealed { len: 43, version: 2 }");
    }
}

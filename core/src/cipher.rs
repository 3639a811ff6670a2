//! AES-256-GCM over the stored layout `iv (12) | tag (16) | ciphertext`.
//!
//! This is the layout the executor wrote with node:crypto (`Buffer.concat([iv, cipher.getAuthTag(),
//! ciphertext])`), so every row already in `ai_mcp_oauth_credentials` opens here and every value sealed
//! here opens there.
//!
//! Opening fails closed: any value shorter than 28 bytes, any flipped bit, a wrong key or wrong
//! associated data give the same [`CryptoError::Decryption`], and no byte of an unauthenticated
//! plaintext is ever returned (the output buffer is zeroized before the error leaves).

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{AeadInPlace, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use zeroize::{Zeroize, Zeroizing};

use crate::error::CryptoError;
use crate::kdf::DerivedKey;

/// IV (nonce) length: 96 bits, the size GCM is specified for.
pub const IV_LEN: usize = 12;
/// Tag length: the full 128 bits. Shorter tags are never accepted.
pub const TAG_LEN: usize = 16;
/// The shortest well-formed stored value: an IV and a tag around an empty ciphertext.
pub const MIN_SEALED_LEN: usize = IV_LEN + TAG_LEN;

/// An AES-256-GCM cipher for one key.
///
/// The AES key schedule is zeroized on drop (the `aes` crate's `zeroize` feature). `Debug` never shows
/// key material.
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

impl Cipher {
    /// Builds the cipher for a derived key.
    pub fn new(key: &DerivedKey) -> Self {
        Self {
            aead: Aes256Gcm::new(key.as_bytes().into()),
        }
    }

    /// Seals `plaintext` under a fresh random IV from the operating system's CSPRNG.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut iv = [0u8; IV_LEN];
        OsRng.try_fill_bytes(&mut iv).map_err(|_| CryptoError::Random)?;
        self.seal_with_iv(&iv, plaintext, aad)
    }

    /// Seals under a caller-chosen IV. Reusing an IV under one key destroys GCM's security, so this is
    /// only for known-answer tests; production code calls [`Cipher::seal`].
    #[doc(hidden)]
    pub fn seal_with_iv(&self, iv: &[u8; IV_LEN], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        // One allocation, laid out as stored: the plaintext is copied behind the header and encrypted in
        // place, then the tag is written into its slot.
        let mut out = Vec::with_capacity(MIN_SEALED_LEN + plaintext.len());
        out.extend_from_slice(iv);
        out.extend_from_slice(&[0u8; TAG_LEN]);
        out.extend_from_slice(plaintext);
        let tag = match self
            .aead
            .encrypt_in_place_detached(Nonce::from_slice(iv), aad, &mut out[MIN_SEALED_LEN..])
        {
            Ok(tag) => tag,
            Err(_) => {
                // Only a plaintext over GCM's 64 GiB limit is refused; do not leave its copy behind.
                out.zeroize();
                return Err(CryptoError::TooLong);
            }
        };
        out[IV_LEN..MIN_SEALED_LEN].copy_from_slice(&tag);
        Ok(out)
    }

    /// Opens a stored value, returning the plaintext bytes (zeroized when dropped).
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if sealed.len() < MIN_SEALED_LEN {
            return Err(CryptoError::Decryption);
        }
        let (iv, rest) = sealed.split_at(IV_LEN);
        let (tag, ciphertext) = rest.split_at(TAG_LEN);
        let mut plaintext = Zeroizing::new(ciphertext.to_vec());
        // aes-gcm ≥ 0.10.3 verifies the tag before decrypting, and on failure the buffer is zeroized on
        // drop by `Zeroizing` in any case.
        self.aead
            .decrypt_in_place_detached(Nonce::from_slice(iv), aad, &mut plaintext, Tag::from_slice(tag))
            .map_err(|_| CryptoError::Decryption)?;
        Ok(plaintext)
    }

    /// Opens a stored value whose plaintext must be UTF-8 text (every credential this package stores).
    /// A non-UTF-8 plaintext is the same [`CryptoError::Decryption`] as any other failure.
    pub fn open_str(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<String>, CryptoError> {
        utf8(self.open(sealed, aad)?)
    }
}

/// Turns authenticated plaintext bytes into a string without leaving an unzeroized copy on failure.
pub(crate) fn utf8(mut bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, CryptoError> {
    let owned = std::mem::take(&mut *bytes);
    match String::from_utf8(owned) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(err) => {
            let mut raw = err.into_bytes();
            raw.zeroize();
            Err(CryptoError::Decryption)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::derive_key;

    /// SPEC §1's known answer: written by the executor's node:crypto code with secret `"a"` × 64.
    const GOLDEN_HEX: &str =
        "55aafd0be57e7764fd3082ab79d38ec55eebc8033161309246ce504a986c6b89caded2e1e7d003de8eae2eae2b66f0045e47ebc7efa0";
    const GOLDEN_PLAINTEXT: &str = "golden-vector-plaintext-v1";

    fn golden_cipher() -> Cipher {
        Cipher::new(&derive_key(&"a".repeat(64)))
    }

    #[test]
    fn known_answer_opens() {
        let sealed = hex::decode(GOLDEN_HEX).expect("hex");
        let text = golden_cipher().open_str(&sealed, b"").expect("golden vector opens");
        assert_eq!(text.as_str(), GOLDEN_PLAINTEXT);
    }

    #[test]
    fn known_answer_reseals_to_the_same_bytes_with_its_iv() {
        let sealed = hex::decode(GOLDEN_HEX).expect("hex");
        let iv: [u8; IV_LEN] = sealed[..IV_LEN].try_into().expect("12 bytes");
        let again = golden_cipher()
            .seal_with_iv(&iv, GOLDEN_PLAINTEXT.as_bytes(), b"")
            .expect("seal");
        assert_eq!(again, sealed);
    }

    #[test]
    fn every_single_bit_flip_fails_closed() {
        let sealed = hex::decode(GOLDEN_HEX).expect("hex");
        let cipher = golden_cipher();
        for byte in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[byte] ^= 1 << bit;
                assert_eq!(
                    cipher.open(&bad, b"").err(),
                    Some(CryptoError::Decryption),
                    "byte {byte} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn every_truncation_fails_closed() {
        let sealed = hex::decode(GOLDEN_HEX).expect("hex");
        let cipher = golden_cipher();
        for len in 0..sealed.len() {
            assert_eq!(
                cipher.open(&sealed[..len], b"").err(),
                Some(CryptoError::Decryption),
                "length {len}"
            );
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert_eq!(cipher.open(&longer, b"").err(), Some(CryptoError::Decryption));
    }

    #[test]
    fn wrong_key_and_wrong_aad_fail_closed() {
        let cipher = golden_cipher();
        let sealed = cipher.seal(b"token", b"row-1").expect("seal");
        assert_eq!(cipher.open_str(&sealed, b"row-1").expect("opens").as_str(), "token");
        assert_eq!(cipher.open(&sealed, b"row-2").err(), Some(CryptoError::Decryption));
        assert_eq!(cipher.open(&sealed, b"").err(), Some(CryptoError::Decryption));
        let other = Cipher::new(&derive_key("another secret"));
        assert_eq!(other.open(&sealed, b"row-1").err(), Some(CryptoError::Decryption));
    }

    #[test]
    fn non_utf8_plaintext_is_a_decryption_error() {
        let cipher = golden_cipher();
        let sealed = cipher.seal(&[0xff, 0xfe, b'a'], b"").expect("seal");
        assert_eq!(
            cipher.open(&sealed, b"").expect("bytes open").as_slice(),
            &[0xff, 0xfe, b'a']
        );
        assert_eq!(cipher.open_str(&sealed, b"").err(), Some(CryptoError::Decryption));
    }

    #[test]
    fn fresh_iv_per_seal() {
        let cipher = golden_cipher();
        let a = cipher.seal(b"same", b"").expect("seal");
        let b = cipher.seal(b"same", b"").expect("seal");
        assert_ne!(a[..IV_LEN], b[..IV_LEN]);
        assert_ne!(a, b);
        assert_eq!(a.len(), MIN_SEALED_LEN + 4);
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let cipher = golden_cipher();
        let sealed = cipher.seal(b"", b"").expect("seal");
        assert_eq!(sealed.len(), MIN_SEALED_LEN);
        assert_eq!(cipher.open_str(&sealed, b"").expect("opens").as_str(), "");
    }

    #[test]
    fn debug_redacts() {
        assert_eq!(format!("{:?}", golden_cipher()), "Cipher(<redacted>)");
    }
}

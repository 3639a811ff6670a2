//! AES-256-GCM over the stored layout `iv (12) | tag (16) | ciphertext`.
//!
//! This is the layout the executor wrote with node:crypto (`Buffer.concat([iv, cipher.getAuthTag(),
//! ciphertext])`), so every row already in `ai_mcp_oauth_credentials` opens here and every value sealed
//! here opens there.
//!
//! Opening fails closed: any value shorter than 28 bytes, any flipped bit, a wrong key or wrong
//! associated data give the same [`CryptoError::Decryption`], and no byte of an unauthenticated
//! plaintext is ever returned (the output buffer is zeroized before the error leaves).

use std::cell::RefCell;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use rand::rngs::adapter::ReseedingRng;
use rand::rngs::OsRng;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Core;
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

    /// Seals `plaintext` under a fresh random IV (see [`fresh_iv`]).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.seal_under(&fresh_iv()?, plaintext, aad)
    }

    /// Seals under a caller-chosen IV. Reusing an IV under one key destroys GCM's security, so this exists
    /// only for known-answer tests: with the `hazmat-fixed-iv` feature, which only this crate's own tests
    /// enable (as `aes-gcm` gates its `hazmat` API); the addon is built without it.
    #[cfg(any(test, feature = "hazmat-fixed-iv"))]
    pub fn seal_with_iv(&self, iv: &[u8; IV_LEN], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.seal_under(iv, plaintext, aad)
    }

    fn seal_under(&self, iv: &[u8; IV_LEN], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![0u8; MIN_SEALED_LEN + plaintext.len()];
        self.seal_into_with_iv(iv, plaintext, aad, &mut out)?;
        Ok(out)
    }

    fn seal_into_with_iv(
        &self,
        iv: &[u8; IV_LEN],
        plaintext: &[u8],
        aad: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        match out.get_mut(MIN_SEALED_LEN..) {
            Some(body) if body.len() == plaintext.len() => body.copy_from_slice(plaintext),
            _ => return Err(CryptoError::Layout),
        }
        self.seal_in_place_with_iv(iv, out, aad)
    }

    /// Seals in place: `buffer` holds 28 bytes of room for the IV and the tag, then the plaintext, which
    /// is encrypted where it lies. The binding uses this on a Buffer the JavaScript engine allocated and
    /// filled, so the plaintext is never copied into Rust memory. On failure the plaintext is zeroized.
    pub fn seal_in_place(&self, buffer: &mut [u8], aad: &[u8]) -> Result<(), CryptoError> {
        let result = fresh_iv().and_then(|iv| self.seal_in_place_with_iv(&iv, buffer, aad));
        if result.is_err() {
            buffer.zeroize();
        }
        result
    }

    fn seal_in_place_with_iv(&self, iv: &[u8; IV_LEN], buffer: &mut [u8], aad: &[u8]) -> Result<(), CryptoError> {
        if buffer.len() < MIN_SEALED_LEN {
            return Err(CryptoError::Layout);
        }
        let (header, body) = buffer.split_at_mut(MIN_SEALED_LEN);
        let tag = match self.aead.encrypt_in_place_detached(Nonce::from_slice(iv), aad, body) {
            Ok(tag) => tag,
            Err(_) => {
                // Only a plaintext over GCM's 64 GiB limit is refused; do not leave it behind.
                body.zeroize();
                return Err(CryptoError::TooLong);
            }
        };
        header[..IV_LEN].copy_from_slice(iv);
        header[IV_LEN..].copy_from_slice(&tag);
        Ok(())
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

    /// Opens a stored value of UTF-8 text into this thread's scratch buffer and hands the text to `use_text`
    /// (the binding copies it into a JavaScript string). No allocation per call; the scratch buffer is
    /// zeroized before this returns, whatever the outcome.
    pub fn open_str_with<R>(
        &self,
        sealed: &[u8],
        aad: &[u8],
        use_text: impl FnOnce(&str) -> R,
    ) -> Result<R, CryptoError> {
        if sealed.len() < MIN_SEALED_LEN {
            return Err(CryptoError::Decryption);
        }
        let (iv, rest) = sealed.split_at(IV_LEN);
        let (tag, ciphertext) = rest.split_at(TAG_LEN);
        SCRATCH
            .try_with(|cell| {
                let mut scratch = cell.try_borrow_mut().map_err(|_| CryptoError::Decryption)?;
                scratch.clear();
                scratch.extend_from_slice(ciphertext);
                let outcome = self
                    .aead
                    .decrypt_in_place_detached(Nonce::from_slice(iv), aad, &mut scratch[..], Tag::from_slice(tag))
                    .map_err(|_| CryptoError::Decryption)
                    .and_then(|()| {
                        std::str::from_utf8(&scratch)
                            .map_err(|_| CryptoError::Decryption)
                            .map(use_text)
                    });
                // Only what this call wrote: every byte past it is zero already (each call wipes what it
                // used), so wiping the whole retained capacity would cost a 64 KiB pass per 400-byte value.
                scratch.as_mut_slice().zeroize();
                scratch.clear();
                if scratch.capacity() > SCRATCH_KEEP {
                    // A one-off large value: give the memory back rather than hold it for the thread's life.
                    *scratch = Vec::new();
                }
                outcome
            })
            .unwrap_or(Err(CryptoError::Decryption))
    }
}

/// Scratch capacity kept between calls (larger buffers are freed after use).
const SCRATCH_KEEP: usize = 64 * 1024;

thread_local! {
    /// Per-thread room for decrypted text; zeroized after every use.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Bytes of CSPRNG output after which a thread's generator reseeds from the OS.
const RESEED_AFTER: u64 = 64 * 1024;

thread_local! {
    static IV_RNG: RefCell<Option<ReseedingRng<ChaCha20Core, OsRng>>> = const { RefCell::new(None) };
}

/// A fresh random 96-bit IV from this thread's ChaCha20 CSPRNG, which is seeded from the operating
/// system on first use, reseeded from it every 64 KiB of output and after a `fork`. Random 96-bit IVs
/// stay far below GCM's collision bound for any number of values a credential store will ever hold.
pub fn fresh_iv() -> Result<[u8; IV_LEN], CryptoError> {
    IV_RNG
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().map_err(|_| CryptoError::Random)?;
            if slot.is_none() {
                let core = ChaCha20Core::from_rng(OsRng).map_err(|_| CryptoError::Random)?;
                *slot = Some(ReseedingRng::new(core, RESEED_AFTER, OsRng));
            }
            let rng = slot.as_mut().ok_or(CryptoError::Random)?;
            let mut iv = [0u8; IV_LEN];
            rng.try_fill_bytes(&mut iv).map_err(|_| CryptoError::Random)?;
            Ok(iv)
        })
        .unwrap_or(Err(CryptoError::Random))
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
    fn opening_through_the_scratch_buffer() {
        let cipher = golden_cipher();
        let sealed = hex::decode(GOLDEN_HEX).expect("hex");
        assert_eq!(
            cipher.open_str_with(&sealed, b"", str::to_owned),
            Ok(GOLDEN_PLAINTEXT.to_owned())
        );
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert_eq!(cipher.open_str_with(&bad, b"", str::len), Err(CryptoError::Decryption));
        let not_utf8 = cipher.seal(&[0xff, 0xfe], b"").expect("seal");
        assert_eq!(
            cipher.open_str_with(&not_utf8, b"", str::len),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            cipher.open_str_with(&sealed[..10], b"", str::len),
            Err(CryptoError::Decryption)
        );
        SCRATCH.with(|cell| assert!(cell.borrow().iter().all(|b| *b == 0), "scratch zeroized"));
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
    fn sealing_in_place_matches_and_fails_closed() {
        let cipher = golden_cipher();
        let mut buffer = vec![0u8; MIN_SEALED_LEN];
        buffer.extend_from_slice(b"in place");
        cipher.seal_in_place(&mut buffer, b"ctx").expect("seal");
        assert_eq!(cipher.open_str(&buffer, b"ctx").expect("opens").as_str(), "in place");
        let mut short = vec![7u8; MIN_SEALED_LEN - 1];
        assert_eq!(cipher.seal_in_place(&mut short, b""), Err(CryptoError::Layout));
        assert!(short.iter().all(|b| *b == 0), "zeroized on failure");
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
    fn ivs_do_not_repeat_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..20_000).map(|_| fresh_iv().expect("iv")).collect::<Vec<_>>()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for handle in handles {
            for iv in handle.join().expect("thread") {
                assert!(seen.insert(iv), "an IV repeated");
            }
        }
        assert_eq!(seen.len(), 80_000);
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

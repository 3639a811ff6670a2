//! Key derivation: HKDF-SHA256 (RFC 5869) of the executor's secret string.
//!
//! The executor derived its key with
//! `hkdfSync('sha256', secret, Buffer.alloc(0), 'forest-executor:mcp-oauth-credentials', 32)`: the input
//! keying material is the UTF-8 bytes of the secret *as given* (a hex-looking secret is not hex-decoded),
//! the salt is empty (RFC 5869 then uses 32 zero bytes), the output is 32 bytes. Rows already written
//! depend on every one of these choices.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The HKDF `info` string that binds the key to this use.
pub const HKDF_INFO: &[u8] = b"forest-executor:mcp-oauth-credentials";

/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;

/// A derived AES-256 key. Zeroized on drop; its `Debug` output never shows the bytes.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DerivedKey([u8; KEY_LEN]);

impl DerivedKey {
    /// Wraps raw key bytes (used by known-answer tests that supply a key directly).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key bytes, for building a cipher.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DerivedKey(<redacted>)")
    }
}

/// RFC 5869 HKDF with SHA-256, filling `okm`.
///
/// Fails only when `okm` is longer than 255 × 32 bytes, the limit RFC 5869 sets.
pub fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8], okm: &mut [u8]) -> Result<(), hkdf::InvalidLength> {
    Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, okm)
}

/// Derives the AES-256 key for a secret string, byte-compatible with the executor's node:crypto code.
pub fn derive_key(secret: &str) -> DerivedKey {
    let mut key = DerivedKey([0u8; KEY_LEN]);
    let expanded = hkdf_sha256(secret.as_bytes(), &[], HKDF_INFO, &mut key.0);
    // RFC 5869 caps the output at 255 × 32 bytes; a 32-byte output is always accepted.
    debug_assert!(expanded.is_ok());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).expect("test vector hex")
    }

    /// RFC 5869 appendix A, test cases 1–3 (SHA-256).
    #[test]
    fn rfc5869_sha256_cases() {
        let cases = [
            (
                "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                "000102030405060708090a0b0c",
                "f0f1f2f3f4f5f6f7f8f9",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            ),
            (
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
                "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
                "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
            ),
            (
                "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                "",
                "",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
            ),
        ];
        for (ikm, salt, info, okm) in cases {
            let expected = unhex(okm);
            let mut out = vec![0u8; expected.len()];
            hkdf_sha256(&unhex(ikm), &unhex(salt), &unhex(info), &mut out).expect("valid length");
            assert_eq!(out, expected);
        }
    }

    /// An empty salt and a salt of 32 zero bytes are the same thing in RFC 5869; the executor relied on it.
    #[test]
    fn empty_salt_equals_zero_salt() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        hkdf_sha256(b"secret", &[], HKDF_INFO, &mut a).expect("valid length");
        hkdf_sha256(b"secret", &[0u8; 32], HKDF_INFO, &mut b).expect("valid length");
        assert_eq!(a, b);
    }

    #[test]
    fn secret_is_used_as_utf8_not_hex_decoded() {
        let hexish = "00".repeat(32);
        let as_text = derive_key(&hexish);
        let mut as_bytes = [0u8; 32];
        hkdf_sha256(&[0u8; 32], &[], HKDF_INFO, &mut as_bytes).expect("valid length");
        assert_ne!(as_text.as_bytes(), &as_bytes);
        let mut expected = [0u8; 32];
        hkdf_sha256(hexish.as_bytes(), &[], HKDF_INFO, &mut expected).expect("valid length");
        assert_eq!(as_text.as_bytes(), &expected);
    }

    #[test]
    fn debug_redacts_the_key() {
        let key = derive_key("a-secret");
        let shown = format!("{key:?}");
        assert_eq!(shown, "DerivedKey(<redacted>)");
    }

    #[test]
    fn too_long_output_is_an_error_not_a_panic() {
        let mut out = vec![0u8; 255 * 32 + 1];
        assert!(hkdf_sha256(b"ikm", b"", b"", &mut out).is_err());
        let mut max = vec![0u8; 255 * 32];
        assert!(hkdf_sha256(b"ikm", b"", b"", &mut max).is_ok());
    }
}

//! The record mapper's cryptographic half: sealing a deposit's secrets for one database row, and the
//! associated data that binds a sealed value to its row.
//!
//! Row binding (opt-in) authenticates `(user_id, mcp_server_id, column)` with each value, so a ciphertext
//! copied into another user's row, another server's row or the other column fails to decrypt. The
//! encoding must be unambiguous, no two different triples giving the same bytes:
//!
//! ```text
//! "mcp-oauth-credentials/row-aad/v1" 0x00     33 bytes, fixed
//! user_id                                      8 bytes, big-endian unsigned
//! len(mcp_server_id) in UTF-16 code units      4 bytes, big-endian
//! mcp_server_id as UTF-16 code units           2 bytes each, big-endian
//! column: 0x01 refresh_token_enc, 0x02 client_secret_enc   1 byte
//! ```
//!
//! Every field is fixed-size or length-prefixed, so the bytes decode back to exactly one triple.
//! `mcp_server_id` is taken as UTF-16 code units, JavaScript's own string representation, so even
//! strings with lone surrogates (which UTF-8 conversion would merge into U+FFFD) stay distinct.

use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::keyring::{KeyVersion, Keyring};

/// The domain-separation prefix of row associated data, version 1 of the encoding.
pub const ROW_AAD_PREFIX: &[u8] = b"mcp-oauth-credentials/row-aad/v1\0";

/// The column a value is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowField {
    /// `refresh_token_enc`
    RefreshToken,
    /// `client_secret_enc`
    ClientSecret,
}

impl RowField {
    fn tag(self) -> u8 {
        match self {
            RowField::RefreshToken => 1,
            RowField::ClientSecret => 2,
        }
    }
}

/// The associated data binding a value to `(user_id, mcp_server_id, field)`.
pub fn row_aad(user_id: u64, mcp_server_id: &[u16], field: RowField) -> Vec<u8> {
    let mut out = Vec::with_capacity(ROW_AAD_PREFIX.len() + 8 + 4 + 2 * mcp_server_id.len() + 1);
    out.extend_from_slice(ROW_AAD_PREFIX);
    out.extend_from_slice(&user_id.to_be_bytes());
    // A JavaScript string has at most 2^30 code units here, far below u32::MAX; saturate rather than wrap.
    let len = u32::try_from(mcp_server_id.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    for unit in mcp_server_id {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.push(field.tag());
    out
}

/// The row a deposit is for, when its values are bound to it.
#[derive(Debug, Clone, Copy)]
pub struct RowIdentity<'a> {
    /// `user_id`
    pub user_id: u64,
    /// `mcp_server_id`, as UTF-16 code units
    pub mcp_server_id: &'a [u16],
}

/// Seals a deposit's refresh token and, when present, its client secret in place (each buffer is 28 bytes
/// of room for the IV and tag, then the plaintext; see [`crate::Cipher::seal_in_place`]) under the
/// keyring's current key, bound to `row` when given. Both get the same key version, the one the row
/// stores. On any failure both plaintexts are zeroized.
pub fn seal_credentials_in_place(
    keyring: &Keyring,
    refresh_token: &mut [u8],
    client_secret: Option<&mut [u8]>,
    row: Option<RowIdentity<'_>>,
) -> Result<KeyVersion, CryptoError> {
    let aad = |field| {
        Zeroizing::new(
            row.map(|r| row_aad(r.user_id, r.mcp_server_id, field))
                .unwrap_or_default(),
        )
    };
    let version = match keyring.seal_in_place(refresh_token, &aad(RowField::RefreshToken)) {
        Ok(version) => version,
        Err(err) => {
            if let Some(secret) = client_secret {
                zeroize::Zeroize::zeroize(secret);
            }
            return Err(err);
        }
    };
    if let Some(secret) = client_secret {
        keyring.seal_in_place(secret, &aad(RowField::ClientSecret))?;
    }
    Ok(version)
}

/// Room for the IV and the tag, then `plaintext`: the buffer [`seal_credentials_in_place`] takes.
pub fn unsealed(plaintext: &str) -> Vec<u8> {
    let mut buffer = vec![0u8; crate::MIN_SEALED_LEN];
    buffer.extend_from_slice(plaintext.as_bytes());
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn utf16(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn layout_is_as_documented() {
        let aad = row_aad(0x0102, &utf16("gh"), RowField::ClientSecret);
        let mut expected = ROW_AAD_PREFIX.to_vec();
        expected.extend([0, 0, 0, 0, 0, 0, 1, 2]);
        expected.extend([0, 0, 0, 2]);
        expected.extend([0, b'g', 0, b'h']);
        expected.push(2);
        assert_eq!(aad, expected);
        assert_eq!(ROW_AAD_PREFIX.len(), 33);
    }

    #[test]
    fn different_triples_never_share_bytes() {
        let users = [0u64, 1, 2, 255, 256, 65_536, 9_007_199_254_740_991];
        let servers: Vec<Vec<u16>> = vec![
            vec![],
            utf16("a"),
            utf16("ab"),
            utf16("a\u{0}"),
            utf16("\u{0}a"),
            vec![0xD800],
            vec![0xFFFD],
            vec![0xD800, 0xDC00],
            utf16("𐀁"),
            utf16("github"),
            utf16("github\u{1}"),
            // Shaped to collide with a length prefix if the encoding were naive.
            vec![0, 1],
            vec![1],
        ];
        let mut seen = HashSet::new();
        let mut count = 0;
        for user in users {
            for server in &servers {
                for field in [RowField::RefreshToken, RowField::ClientSecret] {
                    assert!(
                        seen.insert(row_aad(user, server, field)),
                        "collision at {user} {server:?} {field:?}"
                    );
                    count += 1;
                }
            }
        }
        assert_eq!(seen.len(), count);
    }

    #[test]
    fn bound_values_open_only_in_their_own_row_and_column() {
        let ring = Keyring::single("k");
        let me = utf16("github");
        let row = RowIdentity {
            user_id: 7,
            mcp_server_id: &me,
        };
        let (mut refresh, mut secret) = (unsealed("rt"), unsealed("cs"));
        let v = seal_credentials_in_place(&ring, &mut refresh, Some(&mut secret), Some(row)).expect("seal");
        let own = row_aad(7, &me, RowField::RefreshToken);
        assert_eq!(ring.decrypt(&refresh, v, &own).expect("opens").as_str(), "rt");
        let own_secret = row_aad(7, &me, RowField::ClientSecret);
        assert_eq!(ring.decrypt(&secret, v, &own_secret).expect("opens").as_str(), "cs");
        for wrong in [
            row_aad(8, &me, RowField::RefreshToken),
            row_aad(7, &utf16("gitlab"), RowField::RefreshToken),
            own_secret.clone(),
            Vec::new(),
        ] {
            assert_eq!(ring.decrypt(&refresh, v, &wrong).err(), Some(CryptoError::Decryption));
        }
    }

    #[test]
    fn unbound_sealing_and_a_missing_key() {
        let ring = Keyring::single("k");
        let mut refresh = unsealed("rt");
        let v = seal_credentials_in_place(&ring, &mut refresh, None, None).expect("seal");
        assert_eq!(ring.decrypt(&refresh, v, b"").expect("opens").as_str(), "rt");
        let (mut refresh, mut secret) = (unsealed("rt"), unsealed("cs"));
        assert_eq!(
            seal_credentials_in_place(&Keyring::single(""), &mut refresh, Some(&mut secret), None).err(),
            Some(CryptoError::KeyMissing)
        );
        assert!(
            refresh.iter().chain(secret.iter()).all(|b| *b == 0),
            "both plaintexts zeroized"
        );
    }
}

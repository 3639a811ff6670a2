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

/// A deposit's secrets, sealed under one key version.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCredentials {
    /// `refresh_token_enc`
    pub refresh_token: Vec<u8>,
    /// `client_secret_enc`, when a client secret was given
    pub client_secret: Option<Vec<u8>>,
    /// `enc_key_version`
    pub version: KeyVersion,
}

impl std::fmt::Debug for SealedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCredentials")
            .field("refresh_token_len", &self.refresh_token.len())
            .field("client_secret_len", &self.client_secret.as_ref().map(Vec::len))
            .field("version", &self.version.get())
            .finish()
    }
}

/// Seals a refresh token and, when present, a client secret under the keyring's current key, bound to
/// `row` when given. Both values get the same key version (the row has one `enc_key_version`).
pub fn seal_credentials(
    keyring: &Keyring,
    refresh_token: &str,
    client_secret: Option<&str>,
    row: Option<RowIdentity<'_>>,
) -> Result<SealedCredentials, CryptoError> {
    let aad = |field| {
        Zeroizing::new(
            row.map(|r| row_aad(r.user_id, r.mcp_server_id, field))
                .unwrap_or_default(),
        )
    };
    let refresh = keyring.encrypt(refresh_token.as_bytes(), &aad(RowField::RefreshToken))?;
    let secret = match client_secret {
        Some(secret) => Some(keyring.encrypt(secret.as_bytes(), &aad(RowField::ClientSecret))?),
        None => None,
    };
    Ok(SealedCredentials {
        version: refresh.version,
        refresh_token: refresh.ciphertext,
        client_secret: secret.map(|s| s.ciphertext),
    })
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
        let sealed = seal_credentials(&ring, "rt", Some("cs"), Some(row)).expect("seal");
        let v = sealed.version;
        let own = row_aad(7, &me, RowField::RefreshToken);
        assert_eq!(
            ring.decrypt(&sealed.refresh_token, v, &own).expect("opens").as_str(),
            "rt"
        );
        let secret = sealed.client_secret.as_deref().expect("secret sealed");
        let own_secret = row_aad(7, &me, RowField::ClientSecret);
        assert_eq!(ring.decrypt(secret, v, &own_secret).expect("opens").as_str(), "cs");
        for wrong in [
            row_aad(8, &me, RowField::RefreshToken),
            row_aad(7, &utf16("gitlab"), RowField::RefreshToken),
            own_secret.clone(),
            Vec::new(),
        ] {
            assert_eq!(
                ring.decrypt(&sealed.refresh_token, v, &wrong).err(),
                Some(CryptoError::Decryption)
            );
        }
    }

    #[test]
    fn unbound_sealing_and_missing_secret() {
        let ring = Keyring::single("k");
        let sealed = seal_credentials(&ring, "rt", None, None).expect("seal");
        assert!(sealed.client_secret.is_none());
        assert_eq!(
            ring.decrypt(&sealed.refresh_token, sealed.version, b"")
                .expect("opens")
                .as_str(),
            "rt"
        );
        assert_eq!(
            seal_credentials(&Keyring::single(""), "rt", None, None).err(),
            Some(CryptoError::KeyMissing)
        );
        assert!(!format!("{sealed:?}").contains("rt\""));
    }
}

//! Published test vectors, vendored in `tests/data/` (see `tests/data/SOURCES.md`).
//!
//! - Wycheproof `aes_gcm_test.json`: every AES-256 / 96-bit IV / 128-bit tag case, packed as the stored
//!   layout `iv | tag | ct` and run through [`Cipher::open`], the path the addon uses. Every `valid` case
//!   must open to its message and seal back to the same bytes; every `invalid` case must be rejected.
//! - Wycheproof `hkdf_sha256_test.json`: every case through the HKDF the key derivation uses, including
//!   empty salts and output sizes that must fail.
//!
//! The folder can be moved with `MCP_OAUTH_VECTORS_DIR`; a missing folder fails the test rather than
//! skipping it, so CI cannot pass without the vectors.

use std::path::PathBuf;

use mcp_oauth_credentials_core::kdf::hkdf_sha256;
use mcp_oauth_credentials_core::{Cipher, CryptoError, DerivedKey, IV_LEN, KEY_LEN};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    match std::env::var_os("MCP_OAUTH_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data"),
    }
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read test vectors at {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()))
}

fn hex_field(test: &Value, field: &str) -> Vec<u8> {
    let text = test[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} missing in {test}"));
    hex::decode(text).unwrap_or_else(|err| panic!("field {field} is not hex: {err}"))
}

#[test]
fn wycheproof_aes_256_gcm_through_the_open_path() {
    let doc = load("aes_gcm_test.json");
    let groups = doc["testGroups"].as_array().expect("testGroups");
    let (mut valid, mut invalid) = (0, 0);
    let mut ids = Vec::new();
    for group in groups {
        if group["keySize"] != 256 || group["ivSize"] != 96 || group["tagSize"] != 128 {
            continue;
        }
        for test in group["tests"].as_array().expect("tests") {
            let id = test["tcId"].as_u64().expect("tcId");
            ids.push(id);
            let key: [u8; KEY_LEN] = hex_field(test, "key").try_into().expect("32-byte key");
            let cipher = Cipher::new(&DerivedKey::from_bytes(key));
            let iv = hex_field(test, "iv");
            let aad = hex_field(test, "aad");
            let msg = hex_field(test, "msg");
            let mut packed = iv.clone();
            packed.extend(hex_field(test, "tag"));
            packed.extend(hex_field(test, "ct"));

            match test["result"].as_str() {
                Some("valid") => {
                    valid += 1;
                    let opened = cipher
                        .open(&packed, &aad)
                        .unwrap_or_else(|e| panic!("tcId {id} rejected: {e}"));
                    assert_eq!(opened.as_slice(), msg.as_slice(), "tcId {id} plaintext");
                    let iv: [u8; IV_LEN] = iv.try_into().expect("12-byte IV");
                    let sealed = cipher.seal_with_iv(&iv, &msg, &aad).expect("seal");
                    assert_eq!(sealed, packed, "tcId {id} sealed bytes");
                }
                Some("invalid") => {
                    invalid += 1;
                    assert_eq!(
                        cipher.open(&packed, &aad).err(),
                        Some(CryptoError::Decryption),
                        "tcId {id} accepted"
                    );
                }
                other => panic!("tcId {id}: unexpected result {other:?}"),
            }
        }
    }
    // The vectors README: 66 cases, tcId 91–156.
    assert_eq!(valid + invalid, 66);
    assert_eq!(ids.first(), Some(&91));
    assert_eq!(ids.last(), Some(&156));
    assert!(
        invalid >= 27,
        "the modified-tag cases 130–156 must all be present, saw {invalid} invalid"
    );
}

#[test]
#[allow(clippy::cast_possible_truncation, reason = "vector sizes are small")]
fn wycheproof_hkdf_sha256() {
    let doc = load("hkdf_sha256_test.json");
    let mut seen = 0;
    let mut empty_salts = 0;
    for group in doc["testGroups"].as_array().expect("testGroups") {
        for test in group["tests"].as_array().expect("tests") {
            seen += 1;
            let id = test["tcId"].as_u64().expect("tcId");
            let size = test["size"].as_u64().expect("size") as usize;
            let salt = hex_field(test, "salt");
            if salt.is_empty() {
                empty_salts += 1;
            }
            let mut okm = vec![0u8; size];
            let outcome = hkdf_sha256(&hex_field(test, "ikm"), &salt, &hex_field(test, "info"), &mut okm);
            match test["result"].as_str() {
                Some("valid") => {
                    outcome.unwrap_or_else(|_| panic!("tcId {id} rejected"));
                    assert_eq!(okm, hex_field(test, "okm"), "tcId {id}");
                }
                Some("invalid") => assert!(outcome.is_err(), "tcId {id} accepted"),
                other => panic!("tcId {id}: unexpected result {other:?}"),
            }
        }
    }
    assert_eq!(seen, 86);
    assert!(
        empty_salts > 0,
        "the empty-salt cases matter: the executor uses an empty salt"
    );
}

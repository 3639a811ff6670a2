//! Property tests: for any input, the core returns a result or an error and never panics (a panic inside
//! the addon would abort Node.js), and its round trips hold.

use mcp_oauth_credentials_core::guard::{check_token_endpoint, GuardReason};
use mcp_oauth_credentials_core::record::{row_aad, RowField};
use mcp_oauth_credentials_core::validation::{
    compile, compile_json, encode_issues, encode_output, validate, JsonInput, Options, Tape, TapeBuffers,
    DEPOSIT_SCHEMA_JSON,
};
use mcp_oauth_credentials_core::{CryptoError, KeyVersion, Keyring};
use proptest::prelude::*;
use serde_json::Value;

fn version() -> impl Strategy<Value = KeyVersion> {
    (1i64..=i64::from(KeyVersion::MAX)).prop_map(|v| KeyVersion::new(v).expect("in range"))
}

/// Arbitrary JSON values, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        ".{0,40}".prop_map(Value::String),
        "(https?|ftp)://[a-z0-9.:\\[\\]%-]{0,30}/?".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,12}", inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Bodies shaped like deposits, with any value in any field.
fn body() -> impl Strategy<Value = Value> {
    let fields = [
        "mcpServerId",
        "refreshToken",
        "clientId",
        "clientSecret",
        "clientSecretExpiresAt",
        "tokenEndpoint",
        "tokenEndpointAuthMethod",
        "scopes",
        "__proto__",
        "0",
        "extra",
    ];
    prop::collection::vec((prop::sample::select(fields.to_vec()), json()), 0..10)
        .prop_map(|entries| Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_for_any_plaintext_aad_and_keyring(
        plaintext in ".{0,300}",
        aad in prop::collection::vec(any::<u8>(), 0..64),
        secrets in prop::collection::btree_map(version(), "[ -~]{1,40}", 1..5),
        pick in any::<prop::sample::Index>(),
    ) {
        let versions: Vec<KeyVersion> = secrets.keys().copied().collect();
        let current = versions[pick.index(versions.len())];
        let ring = Keyring::from_secrets(current, secrets.iter().map(|(v, s)| (*v, s.as_str()))).expect("valid keyring");
        let sealed = ring.encrypt(plaintext.as_bytes(), &aad).expect("seal");
        prop_assert_eq!(sealed.version, current);
        prop_assert_eq!(sealed.ciphertext.len(), 28 + plaintext.len());
        let opened = ring.decrypt(&sealed.ciphertext, current, &aad).expect("open");
        prop_assert_eq!(opened.as_str(), plaintext.as_str());
        for other in versions.iter().filter(|v| **v != current && secrets[*v] != secrets[&current]) {
            prop_assert_eq!(ring.decrypt(&sealed.ciphertext, *other, &aad).err(), Some(CryptoError::Decryption));
        }
    }

    #[test]
    fn any_bytes_given_to_decrypt_are_an_error(
        bytes in prop::collection::vec(any::<u8>(), 0..120),
        v in version(),
        aad in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let ring = Keyring::single("any secret");
        prop_assert_eq!(ring.decrypt(&bytes, v, &aad).err(), Some(CryptoError::Decryption));
        prop_assert!(ring.reencrypt(&bytes, v, &aad).is_err());
    }

    #[test]
    fn the_guard_never_panics_and_relaxing_only_allows_more(url in ".{0,80}", tail in "[a-z0-9:/.@%\\[\\]-]{0,40}") {
        for candidate in [url.clone(), format!("https://{tail}"), format!("http://{tail}"), format!("http://[{tail}]/")] {
            let strict = check_token_endpoint(&candidate, false);
            let relaxed = check_token_endpoint(&candidate, true);
            if let Err(reason) = relaxed {
                prop_assert_eq!(strict, Err(reason));
            }
            if let Err(reason) = strict {
                prop_assert!(reason.message().starts_with("Invalid OAuth token endpoint: "));
            }
            // What lets callers read NODE_ENV only when the verdict depends on it: the relaxed verdict is
            // the strict one, except that the waivable refusals become allowed.
            let expected = match strict {
                Err(reason) if reason.waived_when_relaxed() => Ok(()),
                other => other,
            };
            prop_assert_eq!(relaxed, expected);
            prop_assert!(GuardReason::ALL.iter().filter(|r| r.waived_when_relaxed()).count() == 2);
        }
    }

    #[test]
    fn the_engine_never_panics_on_any_body(value in body(), relaxed in any::<bool>()) {
        let schema = compile_json(DEPOSIT_SCHEMA_JSON).expect("deposit schema");
        let outcome = validate(&schema, &JsonInput::Value(&value), &Options { relaxed_token_endpoints: relaxed });
        // JSON inputs cannot call Date.parse; that is the only error the engine may return here.
        if let Ok(outcome) = outcome {
            for issue in &outcome.issues {
                prop_assert!(!issue.message().is_empty());
            }
        }
    }

    #[test]
    fn any_tape_is_an_answer_or_an_error(
        slots in prop::collection::vec(
            prop_oneof![
                (0u32..12).prop_map(f64::from),
                Just(-1.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(1e300),
                any::<f64>(),
            ],
            0..80,
        ),
        text in prop::collection::vec(any::<u16>(), 0..16),
        relaxed in any::<bool>(),
    ) {
        // Any code in the process can hand the binding a tape of its own: a malformed one must never panic,
        // and the engine never walks more values than the tape holds records.
        let schema = compile_json(DEPOSIT_SCHEMA_JSON).expect("deposit schema");
        if let Ok(tape) = Tape::parse(&slots, &text) {
            prop_assert!(tape.records() <= slots.len() / 3);
            if let Ok(outcome) = validate(&schema, &tape.root(), &Options { relaxed_token_endpoints: relaxed }) {
                prop_assert!(outcome.visited <= tape.records());
                let _ = encode_issues(&outcome.issues);
                let mut out = Vec::new();
                encode_output(&outcome.output, &mut out);
            }
        }
    }

    #[test]
    fn a_tape_parsed_in_reused_buffers_is_the_same_tape(
        first in prop::collection::vec((0u32..12).prop_map(f64::from), 0..60),
        second in prop::collection::vec((0u32..12).prop_map(f64::from), 0..60),
        text in prop::collection::vec(any::<u16>(), 0..8),
    ) {
        // The binding parses every tape of a thread in the buffers of the one before: what an earlier tape
        // left there must not change the next one's answer.
        let schema = compile_json(DEPOSIT_SCHEMA_JSON).expect("deposit schema");
        let judge = |tape: &Tape<'_>| {
            validate(&schema, &tape.root(), &Options::default()).map(|outcome| {
                let mut out = Vec::new();
                encode_output(&outcome.output, &mut out);
                (encode_issues(&outcome.issues), out, outcome.visited)
            })
        };
        let buffers = match Tape::parse_in(&first, &text, TapeBuffers::default()) {
            Ok(tape) => tape.into_buffers(),
            Err((_, buffers)) => buffers,
        };
        let fresh = Tape::parse(&second, &text);
        let reused = Tape::parse_in(&second, &text, buffers).map_err(|(err, _)| err);
        match (fresh, reused) {
            (Ok(fresh), Ok(reused)) => {
                prop_assert_eq!(fresh.records(), reused.records());
                prop_assert_eq!(judge(&fresh), judge(&reused));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "fresh {:?} reused {:?}", a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn compiling_any_json_never_panics(schema in json(), input in json()) {
        if let Ok(compiled) = compile(&schema) {
            let _ = validate(&compiled, &JsonInput::Value(&input), &Options::default());
        }
    }

    #[test]
    fn row_aad_is_injective(
        a in (1u64..=9_007_199_254_740_991, prop::collection::vec(any::<u16>(), 0..8), any::<bool>()),
        b in (1u64..=9_007_199_254_740_991, prop::collection::vec(any::<u16>(), 0..8), any::<bool>()),
    ) {
        let field = |secret: bool| if secret { RowField::ClientSecret } else { RowField::RefreshToken };
        let same_bytes = row_aad(a.0, &a.1, field(a.2)) == row_aad(b.0, &b.1, field(b.2));
        prop_assert_eq!(same_bytes, a == b);
    }
}

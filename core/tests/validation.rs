//! Engine behaviour pinned against what zod 4.3.6 gives for the equivalent zod schema (each expected issue
//! list below was printed by zod 4.3.6 itself). The Jest differential suite compares against zod live.

use mcp_oauth_credentials_core::validation::{
    compile, compile_json, validate, FieldValue, Issue, JsonInput, Literal, Options, OutKey, Output, PathSeg, Text,
    DEPOSIT_SCHEMA_JSON,
};
use serde_json::{json, Map, Value};

/// A number as JavaScript's JSON.stringify writes it (integers without a fraction).
#[allow(clippy::cast_possible_truncation, reason = "an integer within the safe range")]
fn js_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn issue_json(issue: &Issue) -> Value {
    let mut map = Map::new();
    for (name, value) in issue.fields() {
        let v = match value {
            FieldValue::Str(s) => json!(s),
            FieldValue::Number(n) => js_number(n),
            FieldValue::Bool(b) => json!(b),
            FieldValue::Path(path) => Value::Array(
                path.iter()
                    .map(|seg| match seg {
                        PathSeg::Key(k) => json!(k),
                        PathSeg::Index(i) => json!(i),
                    })
                    .collect(),
            ),
            FieldValue::Keys(items) => Value::Array(
                items
                    .iter()
                    .map(|k| match k {
                        Text::Owned(s) => json!(s),
                        Text::Record(at) => json!(format!("<record {at}>")),
                    })
                    .collect(),
            ),
            FieldValue::Message(issue) => json!(issue.message()),
            FieldValue::Literals(items) => Value::Array(
                items
                    .iter()
                    .map(|l| match l {
                        Literal::Null => Value::Null,
                        Literal::Bool(b) => json!(b),
                        Literal::Number(n) => js_number(*n),
                        Literal::String(s) => json!(s),
                    })
                    .collect(),
            ),
        };
        map.insert(name.to_owned(), v);
    }
    Value::Object(map)
}

/// Issues as JSON text, so that field order is compared too.
fn issues(schema: &Value, input: &Value) -> String {
    let schema = compile(schema).expect("schema compiles");
    let outcome = validate(&schema, &JsonInput::Value(input), &Options::default()).expect("JSON input");
    serde_json::to_string(&outcome.issues.iter().map(issue_json).collect::<Vec<_>>()).expect("serialisable")
}

fn same(actual: String, expected: Value) {
    assert_eq!(actual, serde_json::to_string(&expected).expect("serialisable"));
}

fn strict_abc() -> Value {
    json!({
        "type": "object",
        "properties": {
            "a": { "type": "string", "minLength": 1, "maxLength": 3 },
            "b": { "type": "integer", "minimum": 2 },
            "c": { "type": "string", "enum": ["x", "y"] },
            "d": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            "e": { "const": "q" }
        },
        "required": ["a"],
        "additionalProperties": false
    })
}

#[test]
fn string_lengths_and_types() {
    same(
        issues(&strict_abc(), &json!({ "a": "" })),
        json!([{ "origin": "string", "code": "too_small", "minimum": 1, "inclusive": true, "path": ["a"], "message": "Too small: expected string to have >=1 characters" }]),
    );
    same(
        issues(&strict_abc(), &json!({ "a": 5 })),
        json!([{ "expected": "string", "code": "invalid_type", "path": ["a"], "message": "Invalid input: expected string, received number" }]),
    );
    same(
        issues(&strict_abc(), &json!({ "a": "abcd", "b": 1.5 })),
        json!([
            { "origin": "string", "code": "too_big", "maximum": 3, "inclusive": true, "path": ["a"], "message": "Too big: expected string to have <=3 characters" },
            { "expected": "int", "format": "safeint", "code": "invalid_type", "path": ["b"], "message": "Invalid input: expected int, received number" }
        ]),
    );
    same(
        issues(&strict_abc(), &json!({ "a": "a", "b": 1 })),
        json!([{ "origin": "number", "code": "too_small", "minimum": 2, "inclusive": true, "path": ["b"], "message": "Too small: expected number to be >=2" }]),
    );
}

#[test]
fn utf16_lengths() {
    // "ab😀" is 3 code points but 4 UTF-16 code units: zod says too big.
    same(
        issues(&json!({ "type": "string", "maxLength": 3 }), &json!("ab😀")),
        json!([{ "origin": "string", "code": "too_big", "maximum": 3, "inclusive": true, "path": [], "message": "Too big: expected string to have <=3 characters" }]),
    );
}

#[test]
fn values_keys_and_order() {
    same(
        issues(
            &strict_abc(),
            &json!({ "a": "a", "c": "z", "e": "r", "zz": 1, "1": 2, "__proto__x": 1 }),
        ),
        json!([
            { "code": "invalid_value", "values": ["x", "y"], "path": ["c"], "message": "Invalid option: expected one of \"x\"|\"y\"" },
            { "code": "invalid_value", "values": ["q"], "path": ["e"], "message": "Invalid input: expected \"q\"" },
            { "code": "unrecognized_keys", "keys": ["1", "zz", "__proto__x"], "path": [], "message": "Unrecognized keys: \"1\", \"zz\", \"__proto__x\"" }
        ]),
    );
    same(
        issues(&strict_abc(), &json!({ "a": "a", "d": [] })),
        json!([{ "origin": "array", "code": "too_small", "minimum": 1, "inclusive": true, "path": ["d"], "message": "Too small: expected array to have >=1 items" }]),
    );
}

#[test]
fn root_non_objects() {
    for (input, received) in [
        (json!("str"), "string"),
        (json!(null), "null"),
        (json!([]), "array"),
        (json!(1), "number"),
    ] {
        same(
            issues(&strict_abc(), &input),
            json!([{ "expected": "object", "code": "invalid_type", "path": [], "message": format!("Invalid input: expected object, received {received}") }]),
        );
    }
}

#[test]
fn length_checks_fire_on_arrays_given_to_a_string() {
    same(
        issues(&json!({ "type": "string", "minLength": 1, "maxLength": 3 }), &json!([])),
        json!([
            { "expected": "string", "code": "invalid_type", "path": [], "message": "Invalid input: expected string, received array" },
            { "origin": "array", "code": "too_small", "minimum": 1, "inclusive": true, "path": [], "message": "Too small: expected array to have >=1 items" }
        ]),
    );
    same(
        issues(&json!({ "type": "string", "minLength": 1 }), &json!({ "length": 0 })),
        json!([
            { "expected": "string", "code": "invalid_type", "path": [], "message": "Invalid input: expected string, received object" },
            { "origin": "unknown", "code": "too_small", "minimum": 1, "inclusive": true, "path": [], "message": "Too small: expected unknown to be >=1" }
        ]),
    );
    same(
        issues(
            &json!({ "type": "array", "items": { "type": "string" }, "minItems": 3 }),
            &json!("ab"),
        ),
        json!([
            { "expected": "array", "code": "invalid_type", "path": [], "message": "Invalid input: expected array, received string" },
            { "origin": "string", "code": "too_small", "minimum": 3, "inclusive": true, "path": [], "message": "Too small: expected string to have >=3 characters" }
        ]),
    );
}

#[test]
fn arrays_integers_and_safe_range() {
    same(
        issues(
            &json!({ "type": "array", "items": { "type": "integer" }, "minItems": 5 }),
            &json!([1, "a", 2.5]),
        ),
        json!([
            { "expected": "number", "code": "invalid_type", "path": [1], "message": "Invalid input: expected number, received string" },
            { "expected": "int", "format": "safeint", "code": "invalid_type", "path": [2], "message": "Invalid input: expected int, received number" },
            { "origin": "array", "code": "too_small", "minimum": 5, "inclusive": true, "path": [], "message": "Too small: expected array to have >=5 items" }
        ]),
    );
    same(
        issues(&json!({ "type": "integer", "maximum": 3 }), &json!(1e300)),
        json!([
            { "code": "too_big", "maximum": 9007199254740991_i64, "note": "Integers must be within the safe integer range.", "origin": "int", "inclusive": true, "path": [], "message": "Too big: expected int to be <=9007199254740991" },
            { "origin": "number", "code": "too_big", "maximum": 3, "inclusive": true, "path": [], "message": "Too big: expected number to be <=3" }
        ]),
    );
}

#[test]
fn nullable_never_nonoptional_and_literals() {
    same(
        issues(&json!({ "type": ["string", "null"], "minLength": 2 }), &json!(null)),
        json!([]),
    );
    same(
        issues(&json!({ "type": ["string", "null"], "minLength": 2 }), &json!(5)),
        json!([{ "expected": "string", "code": "invalid_type", "path": [], "message": "Invalid input: expected string, received number" }]),
    );
    same(
        issues(
            &json!({ "type": "object", "properties": { "foo": false } }),
            &json!({ "foo": 1 }),
        ),
        json!([{ "expected": "never", "code": "invalid_type", "path": ["foo"], "message": "Invalid input: expected never, received number" }]),
    );
    same(
        issues(
            &json!({ "type": "object", "properties": { "foo": {} }, "required": ["foo"] }),
            &json!({}),
        ),
        json!([{ "code": "invalid_type", "expected": "nonoptional", "path": ["foo"], "message": "Invalid input: expected nonoptional, received undefined" }]),
    );
    same(
        issues(&json!({ "enum": [1, "a", null, true] }), &json!(2)),
        json!([{ "code": "invalid_value", "values": [1, "a", null, true], "path": [], "message": "Invalid option: expected one of 1|\"a\"|null|true" }]),
    );
    same(
        issues(&json!({ "enum": [1e21, 0.1] }), &json!(5)),
        json!([{ "code": "invalid_value", "values": [1e21, 0.1], "path": [], "message": "Invalid option: expected one of 1e+21|0.1" }]),
    );
}

#[test]
fn object_refinements_skip_after_a_non_continuable_issue() {
    let schema = json!({
        "type": "object",
        "properties": { "a": { "type": "string", "minLength": 3 }, "s": { "type": "string" }, "id": { "type": "string" } },
        "additionalProperties": false,
        "dependentRequired": { "s": ["id"] }
    });
    // A length issue continues: the refinement still runs.
    same(
        issues(&schema, &json!({ "a": "x", "s": "secret" })),
        json!([
            { "origin": "string", "code": "too_small", "minimum": 3, "inclusive": true, "path": ["a"], "message": "Too small: expected string to have >=3 characters" },
            { "code": "custom", "path": ["id"], "message": "id is required when s is provided" }
        ]),
    );
    // An unrecognized key does not: the refinement is skipped.
    same(
        issues(&schema, &json!({ "s": "secret", "extra": 1 })),
        json!([{ "code": "unrecognized_keys", "keys": ["extra"], "path": [], "message": "Unrecognized key: \"extra\"" }]),
    );
    // Truthiness, as the executor's refinement: an empty secret does not need an id; an empty id does not count.
    same(issues(&schema, &json!({ "s": "" })), json!([]));
    same(
        issues(&schema, &json!({ "s": "x", "id": "" })),
        json!([{ "code": "custom", "path": ["id"], "message": "id is required when s is provided" }]),
    );
}

#[test]
fn data_is_fresh_and_follows_zod() {
    let schema = compile(&json!({
        "type": "object",
        "properties": { "a": { "type": "string" }, "n": { "type": "object", "properties": { "x": { "type": "number" } } } },
    }))
    .expect("compiles");
    let input = json!({ "b": 1, "n": { "x": 1, "y": 2 }, "a": "v" });
    let outcome = validate(&schema, &JsonInput::Value(&input), &Options::default()).expect("runs");
    assert!(outcome.issues.is_empty());
    let Output::Object(entries) = outcome.output else {
        panic!("fresh object expected")
    };
    let keys: Vec<&str> = entries
        .iter()
        .map(|(k, _)| match k {
            OutKey::Declared(name, _) => *name,
            OutKey::Extra(_) => "<extra>",
        })
        .collect();
    assert_eq!(keys, ["a", "n"], "shape order, unknown keys stripped");
    let Output::Object(inner) = &entries[1].1 else {
        panic!("nested object rebuilt")
    };
    assert_eq!(inner.len(), 1);
}

#[test]
fn compile_errors_name_the_keyword_and_its_pointer() {
    let cases = [
        (json!({ "type": "string", "pattern": "^a" }), "pattern", "#"),
        (
            json!({ "type": "object", "properties": { "a/b": { "format": "email" } } }),
            "format",
            "#/properties/a~1b",
        ),
        (json!({ "type": "string", "minimum": 1 }), "minimum", "#"),
        (
            json!({ "type": "array", "items": { "type": "strin" } }),
            "type",
            "#/items",
        ),
        (json!({ "minLength": -1 }), "minLength", "#"),
        (json!({ "minLength": 1.5 }), "minLength", "#"),
        (json!({ "required": ["a", "a"] }), "required", "#"),
        (
            json!({ "additionalProperties": { "type": "string" } }),
            "additionalProperties",
            "#",
        ),
        (json!({ "type": ["string", "number"] }), "type", "#"),
        (json!({ "enum": [{ "a": 1 }] }), "enum", "#"),
        (json!({ "type": "string", "enum": ["a", 1] }), "enum", "#"),
        (json!({ "enum": ["a"], "minLength": 1 }), "minLength", "#"),
        (json!({ "x-mcp-date": "yes" }), "x-mcp-date", "#"),
        (json!({ "$ref": "#/$defs/a" }), "$ref", "#"),
    ];
    for (schema, keyword, pointer) in cases {
        let err = compile(&schema).expect_err("must be refused");
        assert_eq!(
            (err.keyword.as_str(), err.pointer.as_str()),
            (keyword, pointer),
            "{schema}"
        );
        assert!(err.to_string().contains(pointer), "{err}");
    }
    assert!(compile(&json!(5)).is_err());
    assert!(compile_json("{ not json").is_err());
}

#[test]
fn the_deposit_schema_compiles_and_reads_node_env() {
    let schema = compile_json(DEPOSIT_SCHEMA_JSON).expect("deposit schema compiles");
    assert!(schema.uses_token_endpoint_guard());
    assert!(schema.uses_date_parse());
    let body = json!({ "mcpServerId": "github", "refreshToken": "r", "tokenEndpoint": "http://localhost:8080/token" });
    let strict = validate(
        &schema,
        &JsonInput::Value(&body),
        &Options {
            relaxed_token_endpoints: false,
        },
    )
    .expect("runs");
    assert_eq!(strict.issues.len(), 1);
    assert_eq!(
        strict.issues[0].message(),
        "Invalid OAuth token endpoint: it must use https"
    );
    let relaxed = validate(
        &schema,
        &JsonInput::Value(&body),
        &Options {
            relaxed_token_endpoints: true,
        },
    )
    .expect("runs");
    assert!(relaxed.issues.is_empty());
}

/// A tape's `new URL()` answer is judged as it decodes, whether it is short ASCII (decoded on the stack),
/// longer than the stack buffer, or not ASCII (only a forged tape holds that): the same guard verdicts as
/// the guard gives the decoded text directly.
#[test]
fn tape_endpoints_are_judged_as_they_decode() {
    use mcp_oauth_credentials_core::guard::{check_parsed, split_endpoint};
    use mcp_oauth_credentials_core::validation::{tape_class_code, tape_flags, Class, Tape};
    let schema = compile(&json!({ "type": "string", "x-mcp-token-endpoint": true })).expect("schema compiles");
    let long = format!("https:{}.example.com", "a".repeat(400));
    let cases: Vec<Vec<u16>> = vec![
        "https:idp.example.com".encode_utf16().collect(),
        "https:169.254.169.254".encode_utf16().collect(),
        "http:idp.example.com".encode_utf16().collect(),
        "https:idp.ex\u{e4}mple.com".encode_utf16().collect(),
        long.encode_utf16().collect(),
        format!("https:{}", "b".repeat(314)).encode_utf16().collect(),
        format!("https:{}", "b".repeat(315)).encode_utf16().collect(),
        vec![0x68, 0x74, 0x74, 0x70, 0x73, 0x3a, 0xd800, 0x61],
        "https:a b".encode_utf16().collect(),
    ];
    let mut verdicts = [0usize; 2];
    for endpoint in cases {
        let flags = tape_flags::ENDPOINT | tape_flags::ENDPOINT_OK;
        let slots = [
            f64::from(tape_class_code(Class::String)),
            0.0,
            f64::from(flags),
            endpoint.len() as f64,
        ];
        let tape = Tape::parse(&slots, &endpoint).expect("the tape parses");
        let outcome = validate(&schema, &tape.root(), &Options::default()).expect("the tape answers");
        let decoded = String::from_utf16_lossy(&endpoint);
        let expected = split_endpoint(&decoded).is_some_and(|(scheme, host)| check_parsed(scheme, host, false).is_ok());
        assert_eq!(outcome.issues.is_empty(), expected, "{decoded}");
        verdicts[usize::from(expected)] += 1;
    }
    assert!(verdicts[0] >= 4 && verdicts[1] >= 3, "{verdicts:?}");
}

#[test]
fn forged_child_counts_are_refused_in_one_pass() {
    use mcp_oauth_credentials_core::validation::{tape_class_code, tape_flags, Class, Tape, TAPE_HEADER};
    let array = f64::from(tape_class_code(Class::Array));
    let items = f64::from(tape_flags::ITEMS);
    // A chain of arrays, each announcing as many items as the slots left could hold: every announcement
    // alone fits, together they announce far more children than there are records. The parse reserves a
    // record's children as it reads its counts, so it must refuse the chain as soon as the announced
    // children outnumber the records the tape can hold: its memory stays linear.
    let records = 20_000usize;
    let mut slots = Vec::with_capacity(records * 4);
    for i in 0..records {
        let left = (records - i - 1) * 4 / TAPE_HEADER;
        slots.extend([array, 0.0, items, left as f64]);
    }
    let err = Tape::parse(&slots, &[]).expect_err("the counts cannot all be met");
    assert_eq!(err.what, "child count");
    assert!(err.at <= 8, "refused at slot {}", err.at);

    // The same shape, honest: each array holds the next one, the last holds nothing.
    let mut honest = Vec::with_capacity(records * 4);
    for i in 0..records {
        honest.extend([array, 0.0, items, if i + 1 < records { 1.0 } else { 0.0 }]);
    }
    let tape = Tape::parse(&honest, &[]).expect("an honest chain parses");
    assert_eq!(tape.records(), records);
    let schema = compile(&json!({ "type": "array" })).expect("schema compiles");
    let outcome = validate(&schema, &tape.root(), &Options::default()).expect("the tape answers");
    assert!(outcome.issues.is_empty());
}

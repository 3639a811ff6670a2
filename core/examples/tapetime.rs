use mcp_oauth_credentials_core::validation::*;
fn main() {
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("/tmp/tapes.json").unwrap()).unwrap();
    let names: Vec<String> = doc["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let schema = compile_json(DEPOSIT_SCHEMA_JSON).unwrap();
    let only = std::env::var("WHICH").unwrap_or_default();
    for which in ["valid", "invalid"] {
        if !only.is_empty() && only != which {
            continue;
        }
        let text: Vec<u16> = doc[which]["text"].as_str().unwrap().encode_utf16().collect();
        let slots: Vec<f64> = doc[which]["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap_or(-1.0))
            .collect();
        let n: u32 = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(500_000);
        let t = std::time::Instant::now();
        let mut k = 0;
        for _ in 0..n {
            let tape = Tape::new(std::hint::black_box(&slots), &text, &names);
            let out = validate(
                &schema,
                &tape.root(),
                &Options {
                    relaxed_token_endpoints: false,
                },
            )
            .unwrap();
            k += encode_issues(&out.issues).len();
        }
        println!("{which}: {:.0} ns/call ({k})", t.elapsed().as_nanos() as f64 / n as f64);
    }
}

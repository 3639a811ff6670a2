use mcp_oauth_credentials_core::validation::{compile_json, encode_output, validate, Options, Tape, DEPOSIT_SCHEMA_JSON};
fn main() {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("/tmp/tape.json").unwrap()).unwrap();
    let slots: Vec<f64> = v["slots"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let text: Vec<u16> = v["text"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u16).collect();
    let schema = compile_json(DEPOSIT_SCHEMA_JSON).unwrap();
    let n = 500_000;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for _ in 0..n {
            let tape = Tape::parse(&slots, &text).unwrap();
            let out = validate(&schema, &tape.root(), &Options::default()).unwrap();
            let mut units = Vec::with_capacity(64);
            encode_output(&out.output, &mut units);
            std::hint::black_box(units);
        }
        println!("all: {:.0} ns", t.elapsed().as_nanos() as f64 / n as f64);
    }
}

//! JavaScript's `Number.prototype.toString()`, for messages such as `expected number to be >=1.5`.

/// Formats `value` exactly as JavaScript's `String(value)` does (`1e+21`, `0.1`, `-0` → `0`, `NaN`).
pub fn js_number_to_string(value: f64) -> String {
    let mut buffer = ryu_js::Buffer::new();
    buffer.format(value).to_owned()
}

#[cfg(test)]
mod tests {
    use super::js_number_to_string as s;

    #[test]
    fn matches_javascript() {
        assert_eq!(s(1.0), "1");
        assert_eq!(s(255.0), "255");
        assert_eq!(s(-0.0), "0");
        assert_eq!(s(1.5), "1.5");
        assert_eq!(s(0.1), "0.1");
        assert_eq!(s(1e21), "1e+21");
        assert_eq!(s(1e-7), "1e-7");
        assert_eq!(s(9007199254740991.0), "9007199254740991");
        assert_eq!(s(f64::NAN), "NaN");
        assert_eq!(s(f64::INFINITY), "Infinity");
        assert_eq!(s(-2.0), "-2");
    }
}

//! JavaScript strings that Rust text cannot hold.
//!
//! A JavaScript string is UTF-16 and may hold a lone surrogate (`'\ud800'`); a Rust `String` is UTF-8 and
//! cannot. zod takes such strings in a schema as they are (a property name, an `enum` value), so a schema
//! document crosses with each lone surrogate, and each U+FFFF, written as U+FFFF followed by the code unit
//! in four upper-case hex digits (`lib/schema-document.js` writes it). The encoding is one-to-one, keeps
//! comparisons between schema strings exact, and is decoded wherever a schema string meets JavaScript's
//! UTF-16: literal matching ([`units`]), and every string the issue encoding writes.

/// The marker of an escaped code unit (a noncharacter, itself always escaped).
pub const ESCAPE: char = '\u{FFFF}';

/// The UTF-16 code units of a schema string, escapes decoded.
pub fn units(s: &str) -> impl Iterator<Item = u16> + '_ {
    let mut chars = s.chars();
    let mut pending: Option<u16> = None;
    std::iter::from_fn(move || {
        if let Some(unit) = pending.take() {
            return Some(unit);
        }
        let c = chars.next()?;
        if c == ESCAPE {
            let rest = chars.as_str();
            if let Some(unit) = rest.get(..4).and_then(|hex| u16::from_str_radix(hex, 16).ok()) {
                chars = rest.get(4..).unwrap_or_default().chars();
                return Some(unit);
            }
        }
        let mut buffer = [0u16; 2];
        let encoded = c.encode_utf16(&mut buffer);
        if let [first, second] = encoded {
            pending = Some(*second);
            return Some(*first);
        }
        encoded.first().copied()
    })
}

#[cfg(test)]
mod tests {
    use super::units;

    #[test]
    fn escapes_decode_to_their_code_units() {
        assert_eq!(units("a\u{FFFF}D800b").collect::<Vec<_>>(), [0x61, 0xD800, 0x62]);
        assert_eq!(units("\u{FFFF}FFFF").collect::<Vec<_>>(), [0xFFFF]);
        assert_eq!(
            units("😀é").collect::<Vec<_>>(),
            "😀é".encode_utf16().collect::<Vec<_>>()
        );
        // Not an escape: the marker without four hex digits stands for itself (no writer makes one).
        assert_eq!(units("\u{FFFF}zz").collect::<Vec<_>>(), [0xFFFF, 0x7A, 0x7A]);
    }
}

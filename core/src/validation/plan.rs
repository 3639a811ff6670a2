//! The read plan: what the binding's one reader (`lib/reader.js`) must read of an input, derived from the
//! compiled schema so that the reader and the engine cannot disagree about it.
//!
//! The reader performs zod's reads in zod's order and writes what they returned onto a tape
//! ([`super::tape`]); the engine then judges the tape alone. Which reads happen depends on the schema (which
//! properties, whether a length or a string's text is needed) and on the class of each value read, never on
//! a verdict, so the plan holds only the schema's part:
//!
//! | node | JSON | reads |
//! | --- | --- | --- |
//! | value | `["v"]` | the value itself (its class, number or boolean) |
//! | string | `["s", text, date, length, endpoint]` | a string's text when `text` is 1 (literals); `Date.parse` when `date`; `value.length` of a non-string object when `length`; what `new URL()` makes of a string when `endpoint` (the token-endpoint guard) |
//! | array | `["a", items, length]` | `value.length` once, then each item under `items`; `value.length` of a non-array object when `length` |
//! | object | `["o", mode, [[id, required, node], …]]` | `value[name]` per property (name `id` of [`Schema::names`]), `name in value` when it read as `undefined` or is optional; for `mode` 1 (strict) and 2 (loose) the `for…in` keys not declared, and for loose their values (`key in value` when `undefined`) |
//!
//! # The data a reader builds
//! As it reads, the reader also builds what `data` is unless the engine says otherwise: a fresh object for
//! each object it reads under an object node (each declared property, then each kept extra key of a loose
//! object, in the order read, whose value is not `undefined` or whose key is `in` the input), a fresh
//! array for each array it reads under an array node, and every other value itself. When the walk's
//! output is exactly that ([`super::engine::Outcome::as_read`]), the answer says so in one code unit and
//! the binding returns what the reader built; otherwise the answer spells `data` out.
//!
//! A received-type name (`constructor.name`) is not part of the plan: zod reads it when it formats a
//! message, so the binding reads it while finalizing the issues the engine returned.

use serde_json::{json, Value};

use super::compile::{Additional, Node, Schema, Shape, Ty};

impl Schema {
    /// The read plan of this schema, as JSON text (see the module documentation).
    pub fn read_plan(&self) -> String {
        plan(&self.root).to_string()
    }
}

fn bit(flag: bool) -> u8 {
    u8::from(flag)
}

fn plan(node: &Node) -> Value {
    match &node.shape {
        Shape::Any | Shape::Never => json!(["v"]),
        Shape::Literal(values) => {
            if values.iter().any(|v| matches!(v, super::issue::Literal::String(_))) {
                json!(["s", 1, 0, 0, 0])
            } else {
                json!(["v"])
            }
        }
        Shape::Typed(ty, _) => match ty {
            Ty::String => {
                let rules = &node.string;
                let length = rules.min_length.is_some() || rules.max_length.is_some();
                json!(["s", 0, bit(rules.date), bit(length), bit(rules.token_endpoint)])
            }
            Ty::Number | Ty::Integer | Ty::Boolean | Ty::Null => json!(["v"]),
            Ty::Array => {
                let rules = &node.array;
                let items = rules.items.as_deref().map_or_else(|| json!(["v"]), plan);
                let length = rules.min_items.is_some() || rules.max_items.is_some();
                json!(["a", items, bit(length)])
            }
            Ty::Object => {
                let rules = &node.object;
                let mode = match rules.additional {
                    Additional::Strip => 0,
                    Additional::Strict => 1,
                    Additional::Loose => 2,
                };
                let props: Vec<Value> = rules
                    .props
                    .iter()
                    .map(|p| json!([p.id, bit(p.required), plan(&p.node)]))
                    .collect();
                json!(["o", mode, props])
            }
        },
    }
}

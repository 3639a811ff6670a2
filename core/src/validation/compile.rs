//! From a JSON Schema document to the engine's schema tree.
//!
//! Only keywords whose zod equivalent is known are accepted. Anything else (an unknown keyword, a
//! keyword of the wrong shape, a combination zod cannot express) is a [`SchemaError`] naming the keyword
//! and its JSON Pointer: a validator that silently ignored a rule would pass what it should refuse.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::issue::Literal;

/// Keywords that describe and never constrain.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "$comment",
    "default",
    "examples",
];

/// Extension keyword: the string must be accepted by JavaScript's `Date.parse`.
pub const DATE_KEYWORD: &str = "x-mcp-date";
/// Extension keyword: the string must pass the token-endpoint SSRF guard.
pub const TOKEN_ENDPOINT_KEYWORD: &str = "x-mcp-token-endpoint";

/// A malformed or unsupported schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {pointer})")]
pub struct SchemaError {
    /// The keyword at fault.
    pub keyword: String,
    /// JSON Pointer of the schema object holding it (`#` for the root).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// A `type` keyword's single type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    Array,
    Object,
}

impl Ty {
    fn parse(name: &str) -> Option<Ty> {
        Some(match name {
            "string" => Ty::String,
            "number" => Ty::Number,
            "integer" => Ty::Integer,
            "boolean" => Ty::Boolean,
            "null" => Ty::Null,
            "array" => Ty::Array,
            "object" => Ty::Object,
            _ => return None,
        })
    }

    fn admits(self, literal: &Literal) -> bool {
        match (self, literal) {
            (Ty::String, Literal::String(_)) | (Ty::Boolean, Literal::Bool(_)) | (Ty::Null, Literal::Null) => true,
            (Ty::Number, Literal::Number(_)) => true,
            (Ty::Integer, Literal::Number(n)) => n.fract() == 0.0,
            _ => false,
        }
    }
}

/// How an object treats properties it does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Additional {
    /// `additionalProperties` absent: `z.object`, which leaves them out of `data`.
    Strip,
    /// `additionalProperties: true`: `z.looseObject`, which copies them into `data`.
    Loose,
    /// `additionalProperties: false`: `z.strictObject`, one `unrecognized_keys` issue.
    Strict,
}

#[derive(Debug, Clone)]
pub(crate) struct Prop {
    pub name: String,
    /// The name's index in [`Schema::names`].
    pub id: u32,
    pub node: Node,
    pub required: bool,
}

/// String keywords, run in zod's order: minLength, maxLength, then the extensions.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringRules {
    pub min_length: Option<f64>,
    pub max_length: Option<f64>,
    pub date: bool,
    pub token_endpoint: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct NumberRules {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ArrayRules {
    pub items: Option<Box<Node>>,
    pub min_items: Option<f64>,
    pub max_items: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectRules {
    /// In the order a JavaScript object shape holds them (integer-like names first), which is the order
    /// zod reads and reports them in.
    pub props: Vec<Prop>,
    /// The declared names, for the catchall's "is this key declared" (one lookup, not a scan).
    pub declared: HashSet<String>,
    pub additional: Additional,
    pub dependent_required: Vec<(String, Vec<String>)>,
}

impl Default for ObjectRules {
    fn default() -> Self {
        Self {
            props: Vec::new(),
            declared: HashSet::new(),
            additional: Additional::Strip,
            dependent_required: Vec::new(),
        }
    }
}

impl ObjectRules {
    /// Whether the schema declares a property `key`.
    pub(crate) fn declares(&self, key: &str) -> bool {
        self.declared.contains(key)
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// `true` or `{}`: anything (`z.unknown()`).
    Any,
    /// `false`: nothing (`z.never()`).
    Never,
    /// `enum` / `const`: `z.literal([...])` (which `z.enum` equals).
    Literal(Vec<Literal>),
    /// `type` given: the zod schema of that type, `nullable` for `[T, "null"]`.
    Typed(Ty, bool),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub shape: Shape,
    pub string: StringRules,
    pub number: NumberRules,
    pub array: ArrayRules,
    pub object: ObjectRules,
}

impl Node {
    fn of(shape: Shape) -> Node {
        Node {
            shape,
            string: StringRules::default(),
            number: NumberRules::default(),
            array: ArrayRules::default(),
            object: ObjectRules::default(),
        }
    }

    /// Whether this node accepts `undefined` without an issue (then a required property needs zod's
    /// `nonoptional`).
    pub(crate) fn is_any(&self) -> bool {
        matches!(self.shape, Shape::Any)
    }
}

/// A compiled schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) root: Node,
    names: Vec<String>,
    uses_token_endpoint: bool,
    uses_date: bool,
}

impl Schema {
    /// Every declared property name, indexed by the ids that [`super::Output`] and the read plan use.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether any string in the schema is checked by the token-endpoint guard (the binding then reads
    /// `NODE_ENV` for each validation).
    pub fn uses_token_endpoint_guard(&self) -> bool {
        self.uses_token_endpoint
    }

    /// Whether any string is checked with `Date.parse`.
    pub fn uses_date_parse(&self) -> bool {
        self.uses_date
    }
}

/// Compiles a JSON Schema document.
pub fn compile(document: &Value) -> Result<Schema, SchemaError> {
    let mut compiler = Compiler {
        uses_token_endpoint: false,
        uses_date: false,
        names: Vec::new(),
        ids: HashMap::new(),
    };
    let root = compiler.node(document, "#")?;
    Ok(Schema {
        root,
        names: compiler.names,
        uses_token_endpoint: compiler.uses_token_endpoint,
        uses_date: compiler.uses_date,
    })
}

/// Compiles a JSON Schema document given as JSON text.
pub fn compile_json(text: &str) -> Result<Schema, SchemaError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| err("", "#", format!("the schema is not a JSON document: {e}")))?;
    compile(&document)
}

struct Compiler {
    uses_token_endpoint: bool,
    uses_date: bool,
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

/// Whether `key` is an array index, which a JavaScript object orders first, ascending (a canonical
/// integer below 2^32 − 1).
pub(crate) fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// Puts names in the order a JavaScript object built by assigning them in this order enumerates its
/// keys: array indices ascending, then the other names in insertion order. zod's shapes are such
/// objects, and their order decides the order of reads and of issues.
pub(crate) fn js_key_order<T>(items: &mut Vec<T>, name: impl Fn(&T) -> &str) {
    let mut indexed: Vec<(u32, T)> = Vec::new();
    let mut named: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        match array_index(name(&item)) {
            Some(n) => indexed.push((n, item)),
            None => named.push(item),
        }
    }
    indexed.sort_by_key(|(n, _)| *n);
    items.extend(indexed.into_iter().map(|(_, item)| item));
    items.extend(named);
}

fn err(keyword: &str, pointer: &str, message: impl Into<String>) -> SchemaError {
    SchemaError {
        keyword: keyword.to_owned(),
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

/// JSON Pointer escaping (RFC 6901) of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

fn non_negative_integer(value: &Value, keyword: &str, pointer: &str) -> Result<f64, SchemaError> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => Ok(n),
        _ => Err(err(
            keyword,
            pointer,
            format!("\"{keyword}\" must be a non-negative integer"),
        )),
    }
}

fn number(value: &Value, keyword: &str, pointer: &str) -> Result<f64, SchemaError> {
    value
        .as_f64()
        .ok_or_else(|| err(keyword, pointer, format!("\"{keyword}\" must be a number")))
}

/// An extension keyword, which only `true` turns on (`false` would read as a rule that is not there).
fn flag(value: &Value, keyword: &str, pointer: &str) -> Result<bool, SchemaError> {
    match value {
        Value::Bool(true) => Ok(true),
        _ => Err(err(
            keyword,
            pointer,
            format!("\"{keyword}\" must be true (leave it out to turn it off)"),
        )),
    }
}

/// Annotations constrain nothing, but one of the wrong shape is a mistake in the document: say so.
fn annotations(map: &Map<String, Value>, pointer: &str) -> Result<(), SchemaError> {
    for (keyword, value) in map {
        let fine = match keyword.as_str() {
            "$schema" | "$id" | "title" | "description" | "$comment" => value.is_string(),
            "examples" => value.is_array(),
            _ => true,
        };
        if !fine {
            let shape = if keyword == "examples" { "an array" } else { "a string" };
            return Err(err(keyword, pointer, format!("\"{keyword}\" must be {shape}")));
        }
    }
    Ok(())
}

fn literal(value: &Value, keyword: &str, pointer: &str) -> Result<Literal, SchemaError> {
    Ok(match value {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => Literal::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Literal::String(s.clone()),
        Value::Array(_) | Value::Object(_) => {
            return Err(err(
                keyword,
                pointer,
                format!("\"{keyword}\" values must be strings, numbers, booleans or null (zod literals); objects and arrays are not supported"),
            ))
        }
    })
}

fn string_list(value: &Value, keyword: &str, pointer: &str) -> Result<Vec<String>, SchemaError> {
    let items = value
        .as_array()
        .ok_or_else(|| err(keyword, pointer, format!("\"{keyword}\" must be an array of strings")))?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(items.len());
    for item in items {
        let name = item
            .as_str()
            .ok_or_else(|| err(keyword, pointer, format!("\"{keyword}\" must be an array of strings")))?;
        if !seen.insert(name) {
            return Err(err(
                keyword,
                pointer,
                format!("\"{keyword}\" lists \"{name}\" more than once"),
            ));
        }
        out.push(name.to_owned());
    }
    Ok(out)
}

/// Keywords that constrain one instance type, for the "does not apply to this type" check.
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", DATE_KEYWORD, TOKEN_ENDPOINT_KEYWORD];
const NUMBER_KEYWORDS: &[&str] = &["minimum", "maximum"];
const ARRAY_KEYWORDS: &[&str] = &["items", "minItems", "maxItems"];
const OBJECT_KEYWORDS: &[&str] = &["properties", "required", "additionalProperties", "dependentRequired"];

impl Compiler {
    fn node(&mut self, schema: &Value, pointer: &str) -> Result<Node, SchemaError> {
        let map = match schema {
            Value::Bool(true) => return Ok(Node::of(Shape::Any)),
            Value::Bool(false) => return Ok(Node::of(Shape::Never)),
            Value::Object(map) => map,
            _ => return Err(err("", pointer, "a schema must be an object or a boolean")),
        };
        annotations(map, pointer)?;
        for key in map.keys() {
            let known = ANNOTATIONS.contains(&key.as_str())
                || ["type", "enum", "const"].contains(&key.as_str())
                || STRING_KEYWORDS.contains(&key.as_str())
                || NUMBER_KEYWORDS.contains(&key.as_str())
                || ARRAY_KEYWORDS.contains(&key.as_str())
                || OBJECT_KEYWORDS.contains(&key.as_str());
            if !known {
                return Err(err(key, pointer, format!("unsupported keyword \"{key}\"")));
            }
        }

        let typed = match map.get("type") {
            None => None,
            Some(value) => Some(self.type_keyword(value, pointer)?),
        };
        if let Some(literals) = self.literals(map, pointer)? {
            let node = self.literal_node(map, typed, literals, pointer)?;
            // `enum: []`: z.fromJSONSchema's `z.never()` (no value is allowed, and zod has no empty literal).
            if matches!(&node.shape, Shape::Literal(values) if values.is_empty()) {
                return Ok(Node::of(Shape::Never));
            }
            return Ok(node);
        }

        let mut node = Node::of(match typed {
            Some((ty, nullable)) => Shape::Typed(ty, nullable),
            None => match map.keys().find(|k| !ANNOTATIONS.contains(&k.as_str())) {
                None => Shape::Any,
                Some(keyword) => {
                    return Err(err(
                        keyword,
                        pointer,
                        format!(
                            "\"{keyword}\" needs \"type\": z.fromJSONSchema converts a schema without \"type\" to z.any() and ignores it"
                        ),
                    ))
                }
            },
        });
        if let Some((ty, _)) = typed {
            let allowed: &[&str] = match ty {
                Ty::String => STRING_KEYWORDS,
                Ty::Number | Ty::Integer => NUMBER_KEYWORDS,
                Ty::Array => ARRAY_KEYWORDS,
                Ty::Object => OBJECT_KEYWORDS,
                Ty::Boolean | Ty::Null => &[],
            };
            for group in [STRING_KEYWORDS, NUMBER_KEYWORDS, ARRAY_KEYWORDS, OBJECT_KEYWORDS] {
                for keyword in group {
                    if map.contains_key(*keyword) && !allowed.contains(keyword) {
                        return Err(err(
                            keyword,
                            pointer,
                            format!("\"{keyword}\" does not apply to type \"{}\"", type_name(ty)),
                        ));
                    }
                }
            }
        }
        self.string_rules(map, pointer, &mut node.string)?;
        self.number_rules(map, pointer, &mut node.number)?;
        self.array_rules(map, pointer, &mut node.array)?;
        self.object_rules(map, pointer, &mut node.object)?;
        Ok(node)
    }

    fn type_keyword(&self, value: &Value, pointer: &str) -> Result<(Ty, bool), SchemaError> {
        let bad = || {
            err(
                "type",
                pointer,
                "\"type\" must be one of string, number, integer, boolean, null, array, object, or [T, \"null\"]",
            )
        };
        match value {
            Value::String(name) => Ty::parse(name).map(|ty| (ty, false)).ok_or_else(bad),
            Value::Array(names) => {
                let mut tys = Vec::with_capacity(names.len());
                for name in names {
                    tys.push(name.as_str().and_then(Ty::parse).ok_or_else(bad)?);
                }
                match tys.as_slice() {
                    [ty] => Ok((*ty, false)),
                    [Ty::Null, Ty::Null] => Err(bad()),
                    [ty, Ty::Null] | [Ty::Null, ty] => Ok((*ty, true)),
                    _ => Err(err(
                        "type",
                        pointer,
                        "a list of types is supported only as [T, \"null\"] (zod's .nullable()); other unions are not",
                    )),
                }
            }
            _ => Err(bad()),
        }
    }

    fn literals(&self, map: &Map<String, Value>, pointer: &str) -> Result<Option<Vec<Literal>>, SchemaError> {
        match (map.get("enum"), map.get("const")) {
            (Some(_), Some(_)) => Err(err("const", pointer, "\"enum\" and \"const\" cannot be combined")),
            (Some(values), None) => {
                let values = values
                    .as_array()
                    .ok_or_else(|| err("enum", pointer, "\"enum\" must be an array"))?;
                Ok(Some(
                    values
                        .iter()
                        .map(|v| literal(v, "enum", pointer))
                        .collect::<Result<_, _>>()?,
                ))
            }
            (None, Some(value)) => Ok(Some(vec![literal(value, "const", pointer)?])),
            (None, None) => Ok(None),
        }
    }

    fn literal_node(
        &self,
        map: &Map<String, Value>,
        typed: Option<(Ty, bool)>,
        literals: Vec<Literal>,
        pointer: &str,
    ) -> Result<Node, SchemaError> {
        for keyword in map.keys() {
            let fine = ANNOTATIONS.contains(&keyword.as_str()) || ["type", "enum", "const"].contains(&keyword.as_str());
            if !fine {
                return Err(err(
                    keyword,
                    pointer,
                    format!("\"{keyword}\" cannot be combined with enum/const (zod literals take no other checks)"),
                ));
            }
        }
        let mut literals = literals;
        if let Some((ty, nullable)) = typed {
            // `{ type: T, enum: [...] }` is what z.toJSONSchema emits for z.enum: the values decide alone.
            for value in &literals {
                if !(ty.admits(value) || (nullable && *value == Literal::Null)) {
                    return Err(err(
                        "enum",
                        pointer,
                        format!("a value of \"enum\"/\"const\" is not of type \"{}\"", type_name(ty)),
                    ));
                }
            }
            if nullable && !literals.contains(&Literal::Null) {
                literals.push(Literal::Null);
            }
        }
        Ok(Node::of(Shape::Literal(literals)))
    }

    fn string_rules(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        rules: &mut StringRules,
    ) -> Result<(), SchemaError> {
        if let Some(v) = map.get("minLength") {
            rules.min_length = Some(non_negative_integer(v, "minLength", pointer)?);
        }
        if let Some(v) = map.get("maxLength") {
            rules.max_length = Some(non_negative_integer(v, "maxLength", pointer)?);
        }
        if let (Some(min), Some(max)) = (rules.min_length, rules.max_length) {
            if min > max {
                // zod cannot build this string schema (its length pattern `{min,max}` throws), so
                // z.fromJSONSchema refuses the document; so does compileSchema.
                return Err(err(
                    "minLength",
                    pointer,
                    "\"minLength\" exceeds \"maxLength\" (z.fromJSONSchema cannot build such a string schema)",
                ));
            }
        }
        if let Some(v) = map.get(DATE_KEYWORD) {
            rules.date = flag(v, DATE_KEYWORD, pointer)?;
            self.uses_date |= rules.date;
        }
        if let Some(v) = map.get(TOKEN_ENDPOINT_KEYWORD) {
            rules.token_endpoint = flag(v, TOKEN_ENDPOINT_KEYWORD, pointer)?;
            self.uses_token_endpoint |= rules.token_endpoint;
        }
        Ok(())
    }

    fn number_rules(
        &self,
        map: &Map<String, Value>,
        pointer: &str,
        rules: &mut NumberRules,
    ) -> Result<(), SchemaError> {
        if let Some(v) = map.get("minimum") {
            rules.minimum = Some(number(v, "minimum", pointer)?);
        }
        if let Some(v) = map.get("maximum") {
            rules.maximum = Some(number(v, "maximum", pointer)?);
        }
        Ok(())
    }

    fn array_rules(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        rules: &mut ArrayRules,
    ) -> Result<(), SchemaError> {
        if let Some(items) = map.get("items") {
            rules.items = Some(Box::new(self.node(items, &child(pointer, "items"))?));
        }
        if let Some(v) = map.get("minItems") {
            rules.min_items = Some(non_negative_integer(v, "minItems", pointer)?);
        }
        if let Some(v) = map.get("maxItems") {
            rules.max_items = Some(non_negative_integer(v, "maxItems", pointer)?);
        }
        Ok(())
    }

    fn object_rules(
        &mut self,
        map: &Map<String, Value>,
        pointer: &str,
        rules: &mut ObjectRules,
    ) -> Result<(), SchemaError> {
        let required = match map.get("required") {
            Some(v) => string_list(v, "required", pointer)?,
            None => Vec::new(),
        };
        let mut required_set: HashSet<&str> = required.iter().map(String::as_str).collect();
        if let Some(properties) = map.get("properties") {
            let properties = properties
                .as_object()
                .ok_or_else(|| err("properties", pointer, "\"properties\" must be an object"))?;
            let props_pointer = child(pointer, "properties");
            for (name, schema) in properties {
                let node = self.node(schema, &child(&props_pointer, name))?;
                let required = required_set.remove(name.as_str());
                rules.props.push(Prop {
                    name: name.clone(),
                    id: self.name_id(name),
                    node,
                    required,
                });
            }
        }
        // A required name without a property schema: `z.unknown().nonoptional()`, as though declared after
        // the others (z.fromJSONSchema ignores such a name; JSON Schema requires it: see README).
        for name in &required {
            if required_set.contains(name.as_str()) {
                rules.props.push(Prop {
                    name: name.clone(),
                    id: self.name_id(name),
                    node: Node::of(Shape::Any),
                    required: true,
                });
            }
        }
        js_key_order(&mut rules.props, |p| &p.name);
        rules.declared = rules.props.iter().map(|p| p.name.clone()).collect();
        if let Some(v) = map.get("additionalProperties") {
            let allowed = v.as_bool().ok_or_else(|| {
                err(
                    "additionalProperties",
                    pointer,
                    "\"additionalProperties\" must be a boolean (a schema for additional properties is not supported)",
                )
            })?;
            rules.additional = if allowed { Additional::Loose } else { Additional::Strict };
        }
        if let Some(v) = map.get("dependentRequired") {
            let entries = v.as_object().ok_or_else(|| {
                err(
                    "dependentRequired",
                    pointer,
                    "\"dependentRequired\" must be an object of string arrays",
                )
            })?;
            for (name, deps) in entries {
                let deps = string_list(deps, "dependentRequired", pointer)?;
                // The rule reads `data`, which holds declared properties only (loose extras aside): a name
                // the schema does not declare could never be present there, so it is refused, not ignored.
                if let Some(unknown) = std::iter::once(name).chain(&deps).find(|n| !rules.declares(n)) {
                    return Err(err(
                        "dependentRequired",
                        pointer,
                        format!("\"dependentRequired\" names \"{unknown}\", which \"properties\" does not declare"),
                    ));
                }
                rules.dependent_required.push((name.clone(), deps));
            }
        }
        Ok(())
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }
}

fn type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::String => "string",
        Ty::Number => "number",
        Ty::Integer => "integer",
        Ty::Boolean => "boolean",
        Ty::Null => "null",
        Ty::Array => "array",
        Ty::Object => "object",
    }
}

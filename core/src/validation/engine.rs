//! Walks an input in zod's order and collects zod's issues.
//!
//! The rules that decide the order, from zod 4.3.6's `$ZodType.run` and its checks:
//! - a schema first checks the type, then runs its checks in order;
//! - a check is skipped once the schema's issues so far include one that does not continue (type, value
//!   and key issues), except the length checks, which run whenever the value is not nullish and has a
//!   `length` (so `z.string().min(1)` given `[]` also says "expected array to have >=1 items");
//! - an object checks its properties in the schema's order, each with `input[key]`, then (strict) one
//!   `unrecognized_keys` issue listing the `for…in` keys it does not declare, then its own refinements;
//! - `data` is fresh: objects and arrays are rebuilt, everything else is the input value itself.

use super::compile::{Additional, Node, ObjectRules, Schema, Shape, Ty};
use super::input::{Class, Input, Key, LengthValue, Text};
use super::issue::{CustomStyle, Issue, IssueKind, Literal, Origin, Parsed, PathSeg};
use crate::guard::{check_parsed, split_endpoint, GuardReason};
use smallvec::SmallVec;

/// How a validation runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `NODE_ENV` is `development` or `test`: the token-endpoint guard allows `http:` and loopback.
    pub relaxed_token_endpoints: bool,
}

/// The `data` zod returns, in terms of the input's own values. Declared property names borrow from the
/// schema (`'s`).
#[derive(Debug, Clone)]
pub enum Output<'s, I> {
    /// The input value itself.
    Same(I),
    /// `undefined` (an optional key present with the value `undefined`).
    Undefined,
    /// A fresh object with these entries, in insertion order.
    Object(Entries<'s, I>),
    /// A fresh array.
    Array(Vec<Output<'s, I>>),
}

/// An output object's entries, in insertion order.
pub type Entries<'s, I> = Vec<(OutKey<'s>, Output<'s, I>)>;

/// The key of an output entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutKey<'s> {
    /// A property the schema declares: its name and its index in [`Schema::names`].
    Declared(&'s str, u32),
    /// A key of the input the schema does not declare (loose objects).
    Extra(Text),
}

/// The result of a validation: no issues means success, and `output` is then zod's `data`.
#[derive(Debug)]
pub struct Outcome<'s, I> {
    /// The issues, in zod's order.
    pub issues: Vec<Issue>,
    /// The output value (meaningful only when `issues` is empty).
    pub output: Output<'s, I>,
    /// A strict run (`relaxed_token_endpoints: false`) refused a token endpoint for a reason that relaxed
    /// mode waives: the outcome holds only if `NODE_ENV` is not `development` or `test`, and a caller that
    /// has not read it yet must, and run again relaxed if it is. Always false for a relaxed run.
    pub node_env_dependent: bool,
    /// How many values the walk visited: at most one visit per value of the input (the tests hold the
    /// engine to that, for any tape).
    pub visited: usize,
    /// `output` is what a reader builds as it reads (see [`super::plan`], "The data a reader builds"): a
    /// fresh object per object read, holding each declared property and each kept extra key whose value is
    /// not `undefined` or whose key is `in` the input, in the order read; a fresh array per array read;
    /// every other value itself. False when the walk left that rule (an optional property whose issues it
    /// dropped is left out), and then only `output` says what `data` is.
    pub as_read: bool,
}

/// Validates `input` against `schema`.
pub fn validate<'s, I: Input>(schema: &'s Schema, input: &I, options: &Options) -> Result<Outcome<'s, I>, I::Error> {
    let mut run = Run {
        options: *options,
        issues: Vec::new(),
        path: SmallVec::new(),
        node_env_dependent: false,
        visited: 0,
        as_read: true,
    };
    let output = run.node(&schema.root, input)?;
    Ok(Outcome {
        issues: run.issues,
        output,
        node_env_dependent: run.node_env_dependent,
        visited: run.visited,
        as_read: run.as_read,
    })
}

struct Run<'s> {
    options: Options,
    issues: Vec<Issue>,
    /// Where the walk is. Keys borrow from the schema; an issue copies the path it needs. Inline up to a
    /// depth of 8, so that a shallow document's walk allocates nothing for it.
    path: SmallVec<[Step<'s>; 8]>,
    /// See [`Outcome::node_env_dependent`].
    node_env_dependent: bool,
    /// See [`Outcome::visited`].
    visited: usize,
    /// See [`Outcome::as_read`].
    as_read: bool,
}

/// A step of the walk's path (an issue's [`PathSeg`], borrowed).
#[derive(Debug, Clone, Copy)]
enum Step<'s> {
    Key(&'s str),
    Index(u32),
}

/// zod's `util.isObject`: an object that is neither null nor an array (functions are not objects).
fn is_object(class: Class) -> bool {
    class == Class::Object
}

fn literal_matches<I: Input>(literal: &Literal, value: &I) -> Result<bool, I::Error> {
    Ok(match (literal, value.class()) {
        (Literal::Null, Class::Null) => true,
        (Literal::Bool(b), Class::Boolean) => *b == value.boolean(),
        // `Set.prototype.has` is SameValueZero: 0 and -0 match; JSON has no NaN.
        (Literal::Number(n), Class::Number) => *n == value.number(),
        (Literal::String(s), Class::String) => value.equals(s)?,
        _ => false,
    })
}

impl<'s> Run<'s> {
    fn push(&mut self, kind: IssueKind) {
        self.issues.push(Issue {
            kind,
            path: self
                .path
                .iter()
                .map(|step| match step {
                    Step::Key(key) => PathSeg::Key((*key).to_owned()),
                    Step::Index(index) => PathSeg::Index(*index),
                })
                .collect(),
        });
    }

    /// zod's `util.aborted(payload, start)`: an issue since `start` that does not continue.
    fn aborted(&self, start: usize) -> bool {
        self.issues
            .get(start..)
            .is_some_and(|new| new.iter().any(|issue| !issue.continues()))
    }

    /// zod's `parsedType`, as the `invalid_type` message words it. An object's name is read only when
    /// the issue is finalized (zod formats messages after the walk).
    fn parsed<I: Input>(&self, value: &I) -> Result<Parsed, I::Error> {
        Ok(Parsed::Word(match value.class() {
            Class::Undefined => "undefined",
            Class::Null => "null",
            Class::Boolean => "boolean",
            Class::Number if value.number().is_nan() => "NaN",
            Class::Number => "number",
            Class::String => "string",
            Class::BigInt => "bigint",
            Class::Symbol => "symbol",
            Class::Function => "function",
            Class::Array => "array",
            Class::Object => return Ok(Parsed::Object(value.type_name()?)),
        }))
    }

    fn invalid_type<I: Input>(&mut self, expected: &'static str, value: &I) -> Result<(), I::Error> {
        let parsed = self.parsed(value)?;
        self.push(IssueKind::InvalidType {
            expected,
            format: None,
            received: None,
            parsed,
        });
        Ok(())
    }

    fn node<I: Input>(&mut self, node: &'s Node, value: &I) -> Result<Output<'s, I>, I::Error> {
        self.visited += 1;
        match &node.shape {
            Shape::Any => Ok(Output::Same(value.clone())),
            Shape::Never => {
                self.invalid_type("never", value)?;
                Ok(Output::Same(value.clone()))
            }
            Shape::Literal(values) => {
                let mut found = false;
                for literal in values {
                    if literal_matches(literal, value)? {
                        found = true;
                        break;
                    }
                }
                if !found {
                    self.push(IssueKind::InvalidValue { values: values.clone() });
                }
                Ok(Output::Same(value.clone()))
            }
            Shape::Typed(ty, nullable) => {
                if *nullable && value.class() == Class::Null {
                    return Ok(Output::Same(value.clone()));
                }
                self.typed(*ty, node, value)
            }
        }
    }

    fn typed<I: Input>(&mut self, ty: Ty, node: &'s Node, value: &I) -> Result<Output<'s, I>, I::Error> {
        let start = self.issues.len();
        let class = value.class();
        match ty {
            Ty::String => {
                if class != Class::String {
                    self.invalid_type("string", value)?;
                }
                self.string_checks(node, value, start)?;
                Ok(Output::Same(value.clone()))
            }
            Ty::Number | Ty::Integer => {
                if class != Class::Number {
                    self.invalid_type("number", value)?;
                } else if !value.number().is_finite() {
                    let received = if value.number().is_nan() { "NaN" } else { "Infinity" };
                    let parsed = self.parsed(value)?;
                    self.push(IssueKind::InvalidType {
                        expected: "number",
                        format: None,
                        received: Some(received),
                        parsed,
                    });
                }
                if ty == Ty::Integer && !self.aborted(start) {
                    self.safe_integer_check(value.number());
                }
                self.number_checks(node, value.number(), start);
                Ok(Output::Same(value.clone()))
            }
            Ty::Boolean => {
                if class != Class::Boolean {
                    self.invalid_type("boolean", value)?;
                }
                Ok(Output::Same(value.clone()))
            }
            Ty::Null => {
                if class != Class::Null {
                    self.invalid_type("null", value)?;
                }
                Ok(Output::Same(value.clone()))
            }
            Ty::Array => {
                let output = if class == Class::Array {
                    Output::Array(self.items(node, value)?)
                } else {
                    self.invalid_type("array", value)?;
                    Output::Same(value.clone())
                };
                self.length_check(node.array.min_items, node.array.max_items, value)?;
                Ok(output)
            }
            Ty::Object => {
                if !is_object(class) {
                    self.invalid_type("object", value)?;
                    return Ok(Output::Same(value.clone()));
                }
                let entries = self.typed_object(&node.object, value)?;
                if !self.aborted(start) {
                    self.dependent_required(&node.object, &entries)?;
                }
                Ok(Output::Object(entries))
            }
        }
    }

    /// zod's safe-integer format check (`z.int()`), which precedes the schema's own bounds.
    fn safe_integer_check(&mut self, n: f64) {
        if n.fract() != 0.0 {
            self.push(IssueKind::InvalidType {
                expected: "int",
                format: Some("safeint"),
                received: None,
                parsed: Parsed::Word("number"),
            });
        } else if n.abs() > 9_007_199_254_740_991.0 {
            if n > 0.0 {
                self.push(IssueKind::TooBig {
                    origin: Origin::Int,
                    maximum: 9_007_199_254_740_991.0,
                    safe_int_note: true,
                });
            } else {
                self.push(IssueKind::TooSmall {
                    origin: Origin::Int,
                    minimum: -9_007_199_254_740_991.0,
                    safe_int_note: true,
                });
            }
        }
    }

    /// `minimum` / `maximum` (`.min()` / `.max()` on a number): skipped once aborted.
    fn number_checks(&mut self, node: &Node, n: f64, start: usize) {
        if let Some(minimum) = node.number.minimum {
            if !self.aborted(start) && !at_least(n, minimum) {
                self.push(IssueKind::TooSmall {
                    origin: Origin::Number,
                    minimum,
                    safe_int_note: false,
                });
            }
        }
        if let Some(maximum) = node.number.maximum {
            if !self.aborted(start) && !at_most(n, maximum) {
                self.push(IssueKind::TooBig {
                    origin: Origin::Number,
                    maximum,
                    safe_int_note: false,
                });
            }
        }
    }

    /// zod's `.min(n)` then `.max(n)` length checks, which run even after a type issue, whenever the value
    /// is not nullish and its `length` is not `undefined`.
    fn length_check<I: Input>(&mut self, min: Option<f64>, max: Option<f64>, value: &I) -> Result<(), I::Error> {
        if min.is_none() && max.is_none() {
            return Ok(());
        }
        // zod's `when`: not nullish, and `value.length` not undefined (a primitive's comes from its
        // prototype, so it is asked too).
        let origin = match value.class() {
            Class::Undefined | Class::Null => return Ok(()),
            Class::String => Origin::String,
            Class::Array => Origin::Array,
            _ => Origin::Unknown,
        };
        let LengthValue::Number(length) = value.length()? else {
            return Ok(());
        };
        if let Some(minimum) = min {
            if !at_least(length, minimum) {
                self.push(IssueKind::TooSmall {
                    origin,
                    minimum,
                    safe_int_note: false,
                });
            }
        }
        if let Some(maximum) = max {
            if !at_most(length, maximum) {
                self.push(IssueKind::TooBig {
                    origin,
                    maximum,
                    safe_int_note: false,
                });
            }
        }
        Ok(())
    }

    /// A string schema's checks after its type check: lengths, then the extension refinements, which
    /// (having no `when`) are skipped once the value turned out not to be a string.
    fn string_checks<I: Input>(&mut self, node: &'s Node, value: &I, start: usize) -> Result<(), I::Error> {
        let rules = &node.string;
        self.length_check(rules.min_length, rules.max_length, value)?;
        if rules.date && !self.aborted(start) && !value.date_parses()? {
            self.push(IssueKind::Custom {
                style: CustomStyle::Refine,
                message: "must be a parseable date".to_owned(),
            });
        }
        if rules.token_endpoint && !self.aborted(start) {
            let relaxed = self.options.relaxed_token_endpoints;
            let verdict = value.endpoint(|endpoint| match endpoint.and_then(split_endpoint) {
                Some((scheme, hostname)) => check_parsed(scheme, hostname, relaxed),
                None => Err(GuardReason::NotAbsoluteUrl),
            })?;
            if let Err(reason) = verdict {
                self.node_env_dependent |= reason.waived_when_relaxed();
                self.push(IssueKind::Custom {
                    style: CustomStyle::SuperRefine,
                    message: reason.message(),
                });
            }
        }
        Ok(())
    }

    fn items<I: Input>(&mut self, node: &'s Node, value: &I) -> Result<Vec<Output<'s, I>>, I::Error> {
        let len = value.items()?;
        let mut out = Vec::with_capacity(len.min(4096));
        for index in 0..len {
            let item = value.item(index)?;
            self.path.push(Step::Index(u32::try_from(index).unwrap_or(u32::MAX)));
            let result = match &node.array.items {
                Some(items) => self.node(items, &item),
                None => Ok(Output::Same(item)),
            };
            self.path.pop();
            out.push(result?);
        }
        Ok(out)
    }

    /// zod's object parse (`$ZodObjectJIT`): each declared property in shape order with `input[key]`;
    /// an optional one whose issues stand only if `key in input`; `undefined` kept only if `key in
    /// input`; then the catchall over `for…in`.
    fn typed_object<I: Input>(&mut self, rules: &'s ObjectRules, value: &I) -> Result<Entries<'s, I>, I::Error> {
        let mut entries = Vec::with_capacity(rules.props.len());
        for (at, prop) in rules.props.iter().enumerate() {
            let key = Key { name: &prop.name, at };
            let property = value.get(key)?;
            let start = self.issues.len();
            self.path.push(Step::Key(&prop.name));
            let result = if property.class() == Class::Undefined && !prop.required {
                Ok(Output::Same(property))
            } else if property.class() == Class::Undefined && prop.node.is_any() {
                self.push(IssueKind::NonOptional);
                Ok(Output::Same(property))
            } else {
                self.node(&prop.node, &property)
            };
            self.path.pop();
            let result = result?;
            if !prop.required && self.issues.len() > start && !value.has(key)? && !value.inherited(key)? {
                // zod drops an optional property's issues when the key is not `in` the input (only a proxy
                // can say so of a key that read as a value), then copies the unchecked value into `data`.
                // This package drops them too but leaves the key out, so that `data` satisfies the schema;
                // where a fresh object would inherit the name (`toString`), no `data` without it can, and
                // the issues stand.
                self.issues.truncate(start);
                self.as_read = false;
                continue;
            }
            if is_undefined(&result) {
                if value.has(key)? {
                    entries.push((OutKey::Declared(&prop.name, prop.id), Output::Undefined));
                }
            } else {
                entries.push((OutKey::Declared(&prop.name, prop.id), result));
            }
        }
        match rules.additional {
            Additional::Strip => {}
            Additional::Strict => {
                let keys: Vec<Text> = value
                    .extras(&|key| rules.declares(key))?
                    .into_iter()
                    .map(|extra| extra.key)
                    .collect();
                if !keys.is_empty() {
                    self.push(IssueKind::UnrecognizedKeys { keys });
                }
            }
            Additional::Loose => {
                for extra in value.extras(&|key| rules.declares(key))? {
                    let Some(property) = extra.value else {
                        // Only a tape can lack the value, and then it is malformed.
                        continue;
                    };
                    if property.class() != Class::Undefined {
                        entries.push((OutKey::Extra(extra.key), Output::Same(property)));
                    } else if extra.has == Some(true) {
                        entries.push((OutKey::Extra(extra.key), Output::Undefined));
                    }
                }
            }
        }
        Ok(entries)
    }

    /// `dependentRequired`: a custom issue at `[dep]` when `prop` is an own, truthy property of `data` and
    /// `dep` is not, as the executor's refinement `!(o.clientSecret && !o.clientId)` behaves on the object
    /// zod built (see README: own properties, so inherited names such as `toString` are never present).
    fn dependent_required<I: Input>(
        &mut self,
        rules: &'s ObjectRules,
        entries: &Entries<'s, I>,
    ) -> Result<(), I::Error> {
        let truthy_at = |name: &str| -> Result<bool, I::Error> {
            match entries
                .iter()
                .find(|(key, _)| matches!(key, OutKey::Declared(declared, _) if *declared == name))
            {
                Some((_, out)) => truthy(out),
                None => Ok(false),
            }
        };
        for (prop, deps) in &rules.dependent_required {
            if !truthy_at(prop)? {
                continue;
            }
            for dep in deps {
                if !truthy_at(dep)? {
                    self.path.push(Step::Key(dep));
                    self.push(IssueKind::Custom {
                        style: CustomStyle::Refine,
                        message: format!("{dep} is required when {prop} is provided"),
                    });
                    self.path.pop();
                }
            }
        }
        Ok(())
    }
}

/// zod passes a bound check when `value >= bound` holds, so NaN (a non-numeric `length`) fails it.
fn at_least(value: f64, bound: f64) -> bool {
    value >= bound
}

/// zod passes a bound check when `value <= bound` holds, so NaN fails it.
fn at_most(value: f64, bound: f64) -> bool {
    value <= bound
}

fn is_undefined<I: Input>(output: &Output<'_, I>) -> bool {
    match output {
        Output::Undefined => true,
        Output::Same(value) => value.class() == Class::Undefined,
        _ => false,
    }
}

fn truthy<I: Input>(output: &Output<'_, I>) -> Result<bool, I::Error> {
    match output {
        Output::Undefined => Ok(false),
        Output::Same(value) => value.truthy(),
        Output::Object(_) | Output::Array(_) => Ok(true),
    }
}

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

use std::borrow::Cow;

use super::compile::{Additional, Node, ObjectRules, Schema, Shape, Ty};
use super::input::{Class, Input, LengthValue};
use super::issue::{messages, CustomStyle, Issue, IssueKind, Literal, Origin, PathSeg};
use crate::guard::check_token_endpoint;

/// How a validation runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `NODE_ENV` is `development` or `test`: the token-endpoint guard allows `http:` and loopback.
    pub relaxed_token_endpoints: bool,
}

/// The `data` zod returns, in terms of the input's own values. Property names borrow from the schema
/// (`'s`) where they can.
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
pub type Entries<'s, I> = Vec<(Cow<'s, str>, Output<'s, I>)>;

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
}

/// Validates `input` against `schema`.
pub fn validate<'s, I: Input>(schema: &'s Schema, input: &I, options: &Options) -> Result<Outcome<'s, I>, I::Error> {
    let mut run = Run {
        options: *options,
        issues: Vec::with_capacity(4),
        path: Vec::with_capacity(8),
        node_env_dependent: false,
    };
    let output = run.node(&schema.root, input)?;
    Ok(Outcome {
        issues: run.issues,
        output,
        node_env_dependent: run.node_env_dependent,
    })
}

struct Run<'s> {
    options: Options,
    issues: Vec<Issue>,
    /// Where the walk is. Keys borrow from the schema; an issue copies the path it needs.
    path: Vec<Step<'s>>,
    /// See [`Outcome::node_env_dependent`].
    node_env_dependent: bool,
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
    fn push(&mut self, kind: IssueKind, message: String) {
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
            message,
        });
    }

    /// zod's `util.aborted(payload, start)`: an issue since `start` that does not continue.
    fn aborted(&self, start: usize) -> bool {
        self.issues
            .get(start..)
            .is_some_and(|new| new.iter().any(|issue| !issue.continues()))
    }

    /// zod's `parsedType`, as the `invalid_type` message words it.
    fn received<I: Input>(&self, value: &I) -> Result<Cow<'static, str>, I::Error> {
        Ok(Cow::Borrowed(match value.class() {
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
            Class::Object => return Ok(Cow::Owned(value.object_type_name()?)),
        }))
    }

    fn invalid_type<I: Input>(&mut self, expected: &'static str, value: &I) -> Result<(), I::Error> {
        let message = messages::invalid_type(expected, &self.received(value)?);
        self.push(
            IssueKind::InvalidType {
                expected,
                format: None,
                received: None,
            },
            message,
        );
        Ok(())
    }

    fn node<I: Input>(&mut self, node: &'s Node, value: &I) -> Result<Output<'s, I>, I::Error> {
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
                    let message = messages::invalid_value(values);
                    self.push(IssueKind::InvalidValue { values: values.clone() }, message);
                }
                Ok(Output::Same(value.clone()))
            }
            Shape::Typed(ty, nullable) => {
                if *nullable && value.class() == Class::Null {
                    return Ok(Output::Same(value.clone()));
                }
                self.typed(*ty, node, value)
            }
            Shape::Untyped => self.untyped(node, value),
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
                    let message = messages::invalid_type("number", &self.received(value)?);
                    self.push(
                        IssueKind::InvalidType {
                            expected: "number",
                            format: None,
                            received: Some(received),
                        },
                        message,
                    );
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
                    self.dependent_required::<I, _>(&node.object, |key| {
                        match entries.iter().find(|(name, _)| name == key) {
                            Some((_, out)) => truthy(out),
                            None => Ok(false),
                        }
                    })?;
                }
                Ok(Output::Object(entries))
            }
        }
    }

    /// zod's safe-integer format check (`z.int()`), which precedes the schema's own bounds.
    fn safe_integer_check(&mut self, n: f64) {
        if n.fract() != 0.0 {
            let message = messages::invalid_type("int", "number");
            self.push(
                IssueKind::InvalidType {
                    expected: "int",
                    format: Some("safeint"),
                    received: None,
                },
                message,
            );
        } else if n.abs() > 9_007_199_254_740_991.0 {
            if n > 0.0 {
                let maximum = 9_007_199_254_740_991.0;
                let message = messages::too_big(Origin::Int, maximum);
                self.push(
                    IssueKind::TooBig {
                        origin: Origin::Int,
                        maximum,
                        safe_int_note: true,
                    },
                    message,
                );
            } else {
                let minimum = -9_007_199_254_740_991.0;
                let message = messages::too_small(Origin::Int, minimum);
                self.push(
                    IssueKind::TooSmall {
                        origin: Origin::Int,
                        minimum,
                        safe_int_note: true,
                    },
                    message,
                );
            }
        }
    }

    /// `minimum` / `maximum` (`.min()` / `.max()` on a number): skipped once aborted.
    fn number_checks(&mut self, node: &Node, n: f64, start: usize) {
        if let Some(minimum) = node.number.minimum {
            if !self.aborted(start) && !at_least(n, minimum) {
                let message = messages::too_small(Origin::Number, minimum);
                self.push(
                    IssueKind::TooSmall {
                        origin: Origin::Number,
                        minimum,
                        safe_int_note: false,
                    },
                    message,
                );
            }
        }
        if let Some(maximum) = node.number.maximum {
            if !self.aborted(start) && !at_most(n, maximum) {
                let message = messages::too_big(Origin::Number, maximum);
                self.push(
                    IssueKind::TooBig {
                        origin: Origin::Number,
                        maximum,
                        safe_int_note: false,
                    },
                    message,
                );
            }
        }
    }

    /// The value zod's length checks compare, and its origin; `None` when the check's `when` says skip.
    fn length_of<I: Input>(&self, value: &I) -> Result<Option<(f64, Origin)>, I::Error> {
        Ok(match value.class() {
            Class::String => Some((value.utf16_len()? as f64, Origin::String)),
            Class::Array => Some((f64::from(value.array_len()?), Origin::Array)),
            Class::Object | Class::Function => match value.length_property()? {
                LengthValue::Undefined => None,
                LengthValue::Number(n) => Some((n, Origin::Unknown)),
            },
            _ => None,
        })
    }

    /// zod's `.min(n)` then `.max(n)` length checks, which run even after a type issue.
    fn length_check<I: Input>(&mut self, min: Option<f64>, max: Option<f64>, value: &I) -> Result<(), I::Error> {
        if min.is_none() && max.is_none() {
            return Ok(());
        }
        let Some((length, origin)) = self.length_of(value)? else {
            return Ok(());
        };
        if let Some(minimum) = min {
            if !at_least(length, minimum) {
                let message = messages::too_small(origin, minimum);
                self.push(
                    IssueKind::TooSmall {
                        origin,
                        minimum,
                        safe_int_note: false,
                    },
                    message,
                );
            }
        }
        if let Some(maximum) = max {
            if !at_most(length, maximum) {
                let message = messages::too_big(origin, maximum);
                self.push(
                    IssueKind::TooBig {
                        origin,
                        maximum,
                        safe_int_note: false,
                    },
                    message,
                );
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
            self.push(
                IssueKind::Custom {
                    style: CustomStyle::Refine,
                },
                "must be a parseable date".to_owned(),
            );
        }
        if rules.token_endpoint && !self.aborted(start) {
            if let Err(reason) = check_token_endpoint(&value.text()?, self.options.relaxed_token_endpoints) {
                self.node_env_dependent |= reason.waived_when_relaxed();
                self.push(
                    IssueKind::Custom {
                        style: CustomStyle::SuperRefine,
                    },
                    reason.message(),
                );
            }
        }
        Ok(())
    }

    fn items<I: Input>(&mut self, node: &'s Node, value: &I) -> Result<Vec<Output<'s, I>>, I::Error> {
        let len = value.array_len()?;
        let mut out = Vec::with_capacity(len.min(4096) as usize);
        for index in 0..len {
            let item = value.index(index)?;
            self.path.push(Step::Index(index));
            let result = match &node.array.items {
                Some(items) => self.node(items, &item),
                None => Ok(Output::Same(item)),
            };
            self.path.pop();
            out.push(result?);
        }
        Ok(out)
    }

    fn typed_object<I: Input>(&mut self, rules: &'s ObjectRules, value: &I) -> Result<Entries<'s, I>, I::Error> {
        let mut entries = Vec::with_capacity(rules.props.len());
        for prop in &rules.props {
            let property = value.get(&prop.name)?;
            self.path.push(Step::Key(&prop.name));
            let result = if property.class() == Class::Undefined && !prop.required {
                Ok(Output::Same(property))
            } else if property.class() == Class::Undefined && prop.node.is_any() {
                let message = messages::invalid_type("nonoptional", "undefined");
                self.push(IssueKind::NonOptional, message);
                Ok(Output::Same(property))
            } else {
                self.node(&prop.node, &property)
            };
            self.path.pop();
            let result = result?;
            if is_undefined(&result) {
                if value.has(&prop.name)? {
                    entries.push((Cow::Borrowed(prop.name.as_str()), Output::Undefined));
                }
            } else {
                entries.push((Cow::Borrowed(prop.name.as_str()), result));
            }
        }
        match rules.additional {
            Additional::Strip => {}
            Additional::Strict => self.unrecognized_keys(rules, value)?,
            Additional::Loose => {
                for key in value.for_in_keys()? {
                    if rules.props.iter().any(|p| p.name == key) {
                        continue;
                    }
                    let extra = value.get(&key)?;
                    let out = if extra.class() == Class::Undefined {
                        Output::Undefined
                    } else {
                        Output::Same(extra)
                    };
                    entries.push((Cow::Owned(key), out));
                }
            }
        }
        Ok(entries)
    }

    /// A strict object's one `unrecognized_keys` issue: the `for…in` keys it does not declare, in order.
    fn unrecognized_keys<I: Input>(&mut self, rules: &ObjectRules, value: &I) -> Result<(), I::Error> {
        let unknown: Vec<String> = value
            .for_in_keys()?
            .into_iter()
            .filter(|key| !rules.props.iter().any(|p| &p.name == key))
            .collect();
        if !unknown.is_empty() {
            let message = messages::unrecognized_keys(&unknown);
            self.push(IssueKind::UnrecognizedKeys { keys: unknown }, message);
        }
        Ok(())
    }

    /// `dependentRequired`, as the executor's zod refinement `!(o[prop] && !o[dep])` behaves: a custom
    /// issue at `[dep]` when `prop` is truthy and `dep` is not. `truthy_at` reads, from the object zod
    /// refines, whether a key is present and truthy.
    fn dependent_required<I, F>(&mut self, rules: &'s ObjectRules, truthy_at: F) -> Result<(), I::Error>
    where
        I: Input,
        F: Fn(&str) -> Result<bool, I::Error>,
    {
        for (prop, deps) in &rules.dependent_required {
            for dep in deps {
                if truthy_at(prop)? && !truthy_at(dep)? {
                    self.path.push(Step::Key(dep));
                    self.push(
                        IssueKind::Custom {
                            style: CustomStyle::Refine,
                        },
                        format!("{dep} is required when {prop} is provided"),
                    );
                    self.path.pop();
                }
            }
        }
        Ok(())
    }

    /// A schema without `type`: each keyword applies to the instances of its own type (JSON Schema), with
    /// the issue zod gives for that keyword. `data` is the input itself (as for `z.unknown()`).
    fn untyped<I: Input>(&mut self, node: &'s Node, value: &I) -> Result<Output<'s, I>, I::Error> {
        let start = self.issues.len();
        match value.class() {
            Class::String => self.string_checks(node, value, start)?,
            Class::Number => self.number_checks(node, value.number(), start),
            Class::Array => {
                self.items(node, value)?;
                self.length_check(node.array.min_items, node.array.max_items, value)?;
            }
            Class::Object => self.untyped_object(&node.object, value)?,
            _ => {}
        }
        Ok(Output::Same(value.clone()))
    }

    fn untyped_object<I: Input>(&mut self, rules: &'s ObjectRules, value: &I) -> Result<(), I::Error> {
        for prop in &rules.props {
            if value.has_own(&prop.name)? {
                let property = value.get(&prop.name)?;
                self.path.push(Step::Key(&prop.name));
                let result = self.node(&prop.node, &property);
                self.path.pop();
                result?;
            }
        }
        for name in &rules.required_presence {
            if !value.has_own(name)? {
                self.path.push(Step::Key(name));
                self.push(
                    IssueKind::NonOptional,
                    messages::invalid_type("nonoptional", "undefined"),
                );
                self.path.pop();
            }
        }
        if rules.additional == Additional::Strict {
            self.unrecognized_keys(rules, value)?;
        }
        self.dependent_required::<I, _>(rules, |key| {
            if value.has_own(key)? {
                value.get(key)?.truthy()
            } else {
                Ok(false)
            }
        })
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

//! Node.js bindings of `mcp_oauth_credentials_core`.
//!
//! This layer only converts: JavaScript values into core types, core results into JavaScript values, and
//! core failures into JavaScript errors whose `code` the package's JavaScript layer (`lib/`) turns into
//! its exported error classes. No rule or cryptographic decision is made here.
//!
//! Nothing a caller passes may panic: a panic inside a Node-API callback aborts the whole Node.js
//! process. Arguments arrive as loosely typed values and are checked here, even though `lib/` checks
//! them first, because this module is reachable on its own.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod encryption;
pub mod errors;
mod raw;
pub mod validation;

use napi::bindgen_prelude::Object;
use napi::{Env, JsValue};

/// Adds the hand-registered functions (see `src/raw.rs`) to the exports napi-rs builds.
#[napi_derive::napi(module_exports)]
pub fn register_raw_functions(exports: Object, env: Env) -> napi::Result<()> {
    let call = raw::CallEnv::of(&env);
    let exports = call.value(&exports.to_unknown());
    encryption::register(call, exports)
        .and_then(|()| validation::register(call, exports))
        .map_err(|err| napi::Error::from_reason(err.reason))
}

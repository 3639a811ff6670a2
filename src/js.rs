//! Raw Node-API helpers shared by the bindings: status checks.
//!
//! Every function takes the `napi_env` of the current call and handles created during it; every status is
//! checked, and a pending JavaScript exception is reported as [`Code::PendingException`] so that it
//! propagates unchanged.

use napi::sys;

use crate::errors::{js_error, Code, JsErr};

/// Turns a Node-API status into a result; a pending JavaScript exception is kept pending.
pub fn check(env: sys::napi_env, status: sys::napi_status) -> Result<(), JsErr> {
    if status == sys::Status::napi_ok {
        return Ok(());
    }
    let mut pending = false;
    // SAFETY: `env` is the live environment of the current call.
    unsafe { sys::napi_is_exception_pending(env, &mut pending) };
    if pending {
        Err(js_error(Code::PendingException, "a JavaScript exception is pending"))
    } else {
        Err(js_error(
            Code::Internal,
            format!("a Node-API call failed with status {status}"),
        ))
    }
}

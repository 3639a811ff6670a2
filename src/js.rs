//! Raw Node-API helpers shared by the bindings: status checks and value construction.
//!
//! Every function takes the `napi_env` of the current call and handles created during it; every status is
//! checked, and a pending JavaScript exception is reported as [`Code::PendingException`] so that it
//! propagates unchanged.

use std::ptr;

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

pub fn create_string(env: sys::napi_env, text: &str) -> Result<sys::napi_value, JsErr> {
    let mut out = ptr::null_mut();
    // SAFETY: `text` is valid UTF-8 of the given length.
    check(env, unsafe {
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut out)
    })?;
    Ok(out)
}

/// Builds JavaScript values for the results.
pub struct Builder {
    /// The environment of the current call.
    pub env: sys::napi_env,
}

impl Builder {
    pub fn object(&self) -> Result<sys::napi_value, JsErr> {
        let mut out = ptr::null_mut();
        // SAFETY: live env.
        check(self.env, unsafe { sys::napi_create_object(self.env, &mut out) })?;
        Ok(out)
    }

    pub fn array(&self, len: usize) -> Result<sys::napi_value, JsErr> {
        let mut out = ptr::null_mut();
        // SAFETY: live env.
        check(self.env, unsafe {
            sys::napi_create_array_with_length(self.env, len, &mut out)
        })?;
        Ok(out)
    }

    pub fn set(&self, object: sys::napi_value, key: &str, value: sys::napi_value) -> Result<(), JsErr> {
        let name = create_string(self.env, key)?;
        // SAFETY: live handles (`object[key] = value`, as zod assigns).
        check(self.env, unsafe {
            sys::napi_set_property(self.env, object, name, value)
        })
    }

    pub fn push(&self, array: sys::napi_value, index: usize, value: sys::napi_value) -> Result<(), JsErr> {
        let index = u32::try_from(index).map_err(|_| js_error(Code::Internal, "array too long"))?;
        // SAFETY: live handles.
        check(self.env, unsafe {
            sys::napi_set_element(self.env, array, index, value)
        })
    }

    pub fn undefined(&self) -> Result<sys::napi_value, JsErr> {
        let mut out = ptr::null_mut();
        // SAFETY: live env.
        check(self.env, unsafe { sys::napi_get_undefined(self.env, &mut out) })?;
        Ok(out)
    }
}

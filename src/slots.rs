//! A per-thread registry of keyrings by slot number.
//!
//! The hot calls (`sealInSlot`, `decryptInSlot`) are plain functions that take a slot number, not
//! methods of `NativeKeyring`: a class method pays on every call for unwrapping `this` and checking its
//! type tag, which costs as much as the cryptography of a 400-byte token. A `NativeKeyring` registers its
//! keyring here when created, replaces it when a secret changes, and releases the slot when collected.
//! Each JavaScript thread (main or worker) has its own registry, as it has its own objects.

use std::cell::RefCell;
use std::sync::Arc;

use mcp_oauth_credentials_core::Keyring;

use crate::errors::{js_error, Code, JsErr};

thread_local! {
    static SLOTS: RefCell<Vec<Option<Arc<Keyring>>>> = const { RefCell::new(Vec::new()) };
}

/// Registers `ring`, returning its slot (a free one is reused).
pub fn register(ring: Arc<Keyring>) -> Result<u32, JsErr> {
    SLOTS
        .try_with(|cell| {
            let mut slots = cell.try_borrow_mut().map_err(|_| busy())?;
            let index = match slots.iter().position(Option::is_none) {
                Some(free) => free,
                None => {
                    slots.push(None);
                    slots.len() - 1
                }
            };
            if let Some(entry) = slots.get_mut(index) {
                *entry = Some(ring);
            }
            u32::try_from(index).map_err(|_| js_error(Code::Internal, "too many keyrings"))
        })
        .unwrap_or_else(|_| Err(busy()))
}

/// Points `slot` at a new keyring (after a secret or the current version changed).
pub fn replace(slot: u32, ring: Arc<Keyring>) {
    let _ = SLOTS.try_with(|cell| {
        if let Ok(mut slots) = cell.try_borrow_mut() {
            if let Some(entry) = slots.get_mut(slot as usize) {
                *entry = Some(ring);
            }
        }
    });
}

/// Frees `slot` (its keyring is dropped, and zeroized, once no batch still holds it).
pub fn release(slot: u32) {
    let _ = SLOTS.try_with(|cell| {
        if let Ok(mut slots) = cell.try_borrow_mut() {
            if let Some(entry) = slots.get_mut(slot as usize) {
                *entry = None;
            }
        }
    });
}

/// Runs `f` with the keyring in `slot`.
pub fn with<R>(slot: u32, f: impl FnOnce(&Keyring) -> Result<R, JsErr>) -> Result<R, JsErr> {
    SLOTS
        .try_with(|cell| {
            let slots = cell.try_borrow().map_err(|_| busy())?;
            match slots.get(slot as usize) {
                Some(Some(ring)) => f(ring),
                _ => Err(js_error(Code::Internal, "no keyring in that slot")),
            }
        })
        .unwrap_or_else(|_| Err(busy()))
}

fn busy() -> JsErr {
    js_error(Code::Internal, "the keyring registry is unavailable on this thread")
}

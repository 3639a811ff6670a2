//! Per-thread registries of native state by slot number: keyrings and compiled validators.
//!
//! The hot calls (`sealInSlot`, `decryptInSlot`, `validateTape`) are plain functions that take a slot
//! number, not methods of `NativeKeyring` or `NativeValidator`: a class method pays on every call for
//! unwrapping `this` and checking its type tag, which costs as much as the cryptography of a 400-byte
//! token. An object registers its state here when created, replaces it when it changes, and releases the
//! slot when collected. Each JavaScript thread (main or worker) has its own registries, as it has its own
//! objects.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread::LocalKey;

use mcp_oauth_credentials_core::Keyring;

use crate::errors::{js_error, Code, JsErr};
use crate::validation::Compiled;

type Slots<T> = RefCell<Vec<Option<Arc<T>>>>;

thread_local! {
    static KEYRINGS: Slots<Keyring> = const { RefCell::new(Vec::new()) };
    static VALIDATORS: Slots<Compiled> = const { RefCell::new(Vec::new()) };
}

/// A registry: which thread-local table, and what it holds (for error messages).
pub struct Registry<T: 'static> {
    table: &'static LocalKey<Slots<T>>,
    what: &'static str,
}

/// The keyrings of `NativeKeyring` objects.
pub const KEYRING: Registry<Keyring> = Registry {
    table: &KEYRINGS,
    what: "keyring",
};

/// The compiled schemas of `NativeValidator` objects.
pub const VALIDATOR: Registry<Compiled> = Registry {
    table: &VALIDATORS,
    what: "validator",
};

impl<T: 'static> Registry<T> {
    /// Registers `value`, returning its slot (a free one is reused).
    pub fn register(&self, value: Arc<T>) -> Result<u32, JsErr> {
        self.table
            .try_with(|cell| {
                let mut slots = cell.try_borrow_mut().map_err(|_| self.busy())?;
                let index = match slots.iter().position(Option::is_none) {
                    Some(free) => free,
                    None => {
                        slots.push(None);
                        slots.len() - 1
                    }
                };
                if let Some(entry) = slots.get_mut(index) {
                    *entry = Some(value);
                }
                u32::try_from(index).map_err(|_| js_error(Code::Internal, format!("too many {}s", self.what)))
            })
            .unwrap_or_else(|_| Err(self.busy()))
    }

    /// Points `slot` at a new value (after a secret or the current version changed).
    pub fn replace(&self, slot: u32, value: Arc<T>) {
        let _ = self.table.try_with(|cell| {
            if let Ok(mut slots) = cell.try_borrow_mut() {
                if let Some(entry) = slots.get_mut(slot as usize) {
                    *entry = Some(value);
                }
            }
        });
    }

    /// Frees `slot` (its value is dropped, and a keyring zeroized, once no batch still holds it).
    pub fn release(&self, slot: u32) {
        let _ = self.table.try_with(|cell| {
            if let Ok(mut slots) = cell.try_borrow_mut() {
                if let Some(entry) = slots.get_mut(slot as usize) {
                    *entry = None;
                }
            }
        });
    }

    /// Runs `f` with the value in `slot`. The value is cloned out of the table first (an `Arc`), so that
    /// `f` may call back into JavaScript, which may register or release slots.
    pub fn with<R>(&self, slot: u32, f: impl FnOnce(&T) -> Result<R, JsErr>) -> Result<R, JsErr> {
        let value = self
            .table
            .try_with(|cell| {
                let slots = cell.try_borrow().map_err(|_| self.busy())?;
                match slots.get(slot as usize) {
                    Some(Some(value)) => Ok(Arc::clone(value)),
                    _ => Err(js_error(Code::Internal, format!("no {} in that slot", self.what))),
                }
            })
            .unwrap_or_else(|_| Err(self.busy()))?;
        f(&value)
    }

    fn busy(&self) -> JsErr {
        js_error(
            Code::Internal,
            format!("the {} registry is unavailable on this thread", self.what),
        )
    }
}

//! `RefCell` borrows out of line: one borrow check and one panic location per cell type instead
//! of one at every use (the binding and the engine borrow in dozens of places).

use std::cell::{Ref, RefCell, RefMut};

#[inline(never)]
pub fn mutable<T>(cell: &RefCell<T>) -> RefMut<'_, T> {
    cell.borrow_mut()
}

#[inline(never)]
pub fn shared<T>(cell: &RefCell<T>) -> Ref<'_, T> {
    cell.borrow()
}

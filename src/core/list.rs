//! Removal from a `Vec` at a position a search found: the bound is checked here, so a position
//! that no longer holds gives `None` instead of a panic. (`Vec::remove` keeps its own assert in
//! the wasm, unreachable from here; the callers share this one path to it.)

/// Takes out the item at `at` (the rest shift down), or `None` if `list` is shorter.
#[inline]
pub fn take_at<T>(list: &mut Vec<T>, at: usize) -> Option<T> {
    (at < list.len()).then(|| list.remove(at))
}

#[cfg(test)]
mod tests {
    use super::take_at;

    #[test]
    fn takes_the_item_and_keeps_the_order() {
        let mut list = vec![1, 2, 3];
        assert_eq!(take_at(&mut list, 1), Some(2));
        assert_eq!(list, [1, 3]);
        assert_eq!(take_at(&mut list, 2), None);
        assert_eq!(list, [1, 3]);
    }
}

//! A sort for the few short lists the wasm sorts (a frame's levels, a minute of latencies):
//! a few lines of code where the standard sorts would add kilobytes to the wasm.

/// Shell sort with halving gaps: in place, not stable (callers whose equal items must keep their
/// order make the order part of the key).
pub fn shell_sort<T: Copy + Ord>(values: &mut [T]) {
    let mut gap = values.len() / 2;
    while gap > 0 {
        for i in gap..values.len() {
            let value = values[i];
            let mut j = i;
            // `j` only goes down from `i`: the checked reads are never out of range, and leave
            // the wasm no bounds panic (the compiler cannot see that through the gap steps).
            while let Some(&before) = j.checked_sub(gap).and_then(|k| values.get(k)) {
                if before <= value {
                    break;
                }
                if let Some(slot) = values.get_mut(j) {
                    *slot = before;
                }
                j -= gap;
            }
            if let Some(slot) = values.get_mut(j) {
                *slot = value;
            }
        }
        gap /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::shell_sort;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut seed = 7u32;
        for length in [0, 1, 2, 3, 16, 17, 50, 257] {
            let mut values: Vec<(u32, usize)> = (0..length)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 40, i)
                })
                .collect();
            let mut expected = values.clone();
            expected.sort();
            shell_sort(&mut values);
            assert_eq!(values, expected, "{length} values");
        }
        let mut reversed: Vec<i32> = (0..100).rev().collect();
        shell_sort(&mut reversed);
        assert!(reversed.iter().copied().eq(0..100));
    }
}

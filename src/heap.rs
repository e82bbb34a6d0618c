//! The wasm's allocator: blocks of power-of-two sizes, one free list per size.
//!
//! The wasm's allocations are small and short-lived (frames, strings, a book's levels) and come
//! back in the same sizes connection after connection, so a free list per size class reuses them
//! as well as a general allocator would, in a few hundred bytes of code instead of dlmalloc's
//! kilobytes. Memory comes from `memory.grow` and is never given back (wasm cannot shrink).
//! A freed block goes back to its own class's list; a block is aligned to its size (to a page
//! above a page), so any alignment up to that is met. Single-threaded: the wasm has no threads.

use std::alloc::Layout;

/// The smallest block: room for the free list's link, and the alignment every block has.
const MIN_CLASS: u32 = 4;
/// One class per power of two from 16 bytes to 2 GiB.
const CLASSES: usize = 28;
/// Blocks above this size are aligned to it only: `memory.grow` hands out pages.
const PAGE: usize = 64 * 1024;

/// Free lists and the bump region, over memory obtained from `grow`.
pub struct Heap {
    /// The first free block of each class; each free block's first word links to the next.
    free: [usize; CLASSES],
    /// Memory not yet cut into blocks: `next..end`.
    next: usize,
    end: usize,
}

impl Heap {
    pub const fn new() -> Heap {
        Heap {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }
    }

    /// The class of a layout: the smallest power of two holding both its size and alignment.
    fn class(layout: Layout) -> Option<usize> {
        let need = layout.size().max(layout.align()).max(1 << MIN_CLASS);
        let bits = usize::BITS - (need - 1).leading_zeros();
        let class = (bits - MIN_CLASS) as usize;
        (class < CLASSES && layout.align() <= PAGE).then_some(class)
    }

    const fn size(class: usize) -> usize {
        1 << (class as u32 + MIN_CLASS)
    }

    /// A block for `layout`, or 0 when memory is exhausted. `grow(bytes)` returns the start of
    /// `bytes` more contiguous bytes (page-aligned, after the previous ones), or `None`.
    ///
    /// # Safety
    /// The memory `grow` returns must be writable and used by nothing else.
    pub unsafe fn alloc(
        &mut self,
        layout: Layout,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> usize {
        let Some(class) = Heap::class(layout) else {
            return 0;
        };
        let head = self.free[class];
        if head != 0 {
            // SAFETY: a free block's first word holds its list's next link.
            self.free[class] = unsafe { *(head as *const usize) };
            return head;
        }
        if let Some(block) = unsafe { self.split_larger(class).or_else(|| self.carve(class)) } {
            return block;
        }
        let wanted = Heap::size(class).next_multiple_of(PAGE);
        let Some(fresh) = grow(wanted) else {
            return 0;
        };
        if fresh != self.end {
            // Not contiguous (someone else grew the memory): the old region's rest is kept.
            unsafe { self.release_range(self.next, self.end) };
            self.next = fresh;
        }
        self.end = fresh + wanted;
        unsafe { self.carve(class) }.unwrap_or(0)
    }

    /// A block of `class` cut from the smallest free block of a larger class; the rest of that
    /// block goes back to the lists.
    unsafe fn split_larger(&mut self, class: usize) -> Option<usize> {
        let larger = (class + 1..CLASSES).find(|&c| self.free[c] != 0)?;
        let block = self.free[larger];
        // SAFETY: a free block's first word holds its list's next link.
        self.free[larger] = unsafe { *(block as *const usize) };
        unsafe { self.release_range(block + Heap::size(class), block + Heap::size(larger)) };
        Some(block)
    }

    /// A new block of `class` cut from the bump region, if it has room.
    unsafe fn carve(&mut self, class: usize) -> Option<usize> {
        let size = Heap::size(class);
        let start = self.next.next_multiple_of(size.min(PAGE));
        if start.checked_add(size)? > self.end {
            return None;
        }
        // The padding skipped to align this block goes to the smaller classes' lists.
        unsafe { self.release_range(self.next, start) };
        self.next = start + size;
        Some(start)
    }

    /// Returns a block from [`Heap::alloc`] with the same `layout` to its class's list.
    ///
    /// # Safety
    /// `block` came from `alloc` with `layout` and is not used any more.
    pub unsafe fn free(&mut self, block: usize, layout: Layout) {
        if let Some(class) = Heap::class(layout) {
            unsafe { self.push(class, block) };
        }
    }

    /// Whether a block of `old` layout also holds `new_size` bytes (same class: no copy needed).
    pub fn fits(old: Layout, new_size: usize) -> bool {
        let new = Layout::from_size_align(new_size, old.align()).ok();
        new.is_some_and(|new| Heap::class(new) == Heap::class(old))
    }

    unsafe fn push(&mut self, class: usize, block: usize) {
        // SAFETY: the block is at least a word and no longer in use.
        unsafe { *(block as *mut usize) = self.free[class] };
        self.free[class] = block;
    }

    /// Cuts `start..end` (both 16-byte aligned) into naturally aligned blocks on the free lists.
    unsafe fn release_range(&mut self, mut start: usize, end: usize) {
        while start < end {
            // The largest class both aligned at `start` and fitting before `end`.
            let fits = usize::BITS - 1 - (end - start).leading_zeros();
            let class = (start.trailing_zeros().min(fits).saturating_sub(MIN_CLASS) as usize)
                .min(CLASSES - 1);
            unsafe { self.push(class, start) };
            start += Heap::size(class);
        }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{Heap, PAGE};
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    struct Allocator(UnsafeCell<Heap>);

    // SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
    unsafe impl Sync for Allocator {}

    fn grow(bytes: usize) -> Option<usize> {
        let previous = core::arch::wasm32::memory_grow(0, bytes / PAGE);
        (previous != usize::MAX).then_some(previous * PAGE)
    }

    // Not inlined: every `Vec` and `String` in the wasm allocates, and one call each is smaller
    // than a copy of the heap in every caller.
    unsafe impl GlobalAlloc for Allocator {
        #[inline(never)]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: one thread, and the heap never calls back into the allocator.
            unsafe { (*self.0.get()).alloc(layout, grow) as *mut u8 }
        }

        #[inline(never)]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).free(ptr as usize, layout) }
        }

        #[inline(never)]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if Heap::fits(layout, new_size) {
                return ptr;
            }
            // SAFETY: the caller guarantees a valid layout of `new_size` with the same alignment.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(Heap::new()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap over one natively allocated arena, handed out a page at a time.
    struct Arena {
        heap: Heap,
        base: usize,
        used: usize,
        len: usize,
    }

    impl Arena {
        fn new(pages: usize) -> Arena {
            let len = pages * PAGE;
            let layout = Layout::from_size_align(len, PAGE).expect("arena layout");
            // SAFETY: a non-zero size; the arena is leaked for the test's duration.
            let base = unsafe { std::alloc::alloc(layout) } as usize;
            assert_ne!(base, 0);
            Arena {
                heap: Heap::new(),
                base,
                used: 0,
                len,
            }
        }

        fn alloc(&mut self, size: usize, align: usize) -> usize {
            let layout = Layout::from_size_align(size, align).expect("layout");
            let (base, used, len) = (self.base, &mut self.used, self.len);
            let grow = |bytes: usize| {
                (*used + bytes <= len).then(|| {
                    *used += bytes;
                    base + *used - bytes
                })
            };
            // SAFETY: the arena is ours and only the heap uses it.
            unsafe { self.heap.alloc(layout, grow) }
        }

        fn free(&mut self, block: usize, size: usize, align: usize) {
            let layout = Layout::from_size_align(size, align).expect("layout");
            unsafe { self.heap.free(block, layout) }
        }
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let mut arena = Arena::new(16);
        let mut live: Vec<(usize, usize, usize)> = Vec::new();
        for (i, &(size, align)) in [
            (1, 1),
            (24, 8),
            (100, 4),
            (16, 16),
            (3000, 8),
            (7, 64),
            (40_000, 8),
        ]
        .iter()
        .cycle()
        .take(60)
        .enumerate()
        {
            let block = arena.alloc(size, align);
            assert_ne!(block, 0, "allocation {i}: {} used", arena.used);
            assert_eq!(block % align.max(16), 0);
            live.push((block, size, align));
        }
        let mut spans: Vec<(usize, usize)> = live.iter().map(|&(b, s, _)| (b, b + s)).collect();
        spans.sort_unstable();
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "blocks overlap");
        // The small blocks came from the padding before the large ones: 8 pages for 8 blocks
        // of 64 KB, one page for everything else.
        assert_eq!(arena.used, 9 * PAGE);
        // Freed blocks come back for the same sizes: no new memory is needed.
        let used = arena.used;
        for &(block, size, align) in &live {
            arena.free(block, size, align);
        }
        for &(_, size, align) in &live {
            assert_ne!(arena.alloc(size, align), 0);
        }
        assert_eq!(arena.used, used);
    }

    #[test]
    fn alignment_padding_is_not_lost() {
        let mut arena = Arena::new(1);
        let small = arena.alloc(16, 16);
        let big = arena.alloc(4096, 8);
        assert_eq!(big % 4096, 0);
        // The 4 KB block skipped the rest of the first 4 KB: those blocks are handed out next.
        let again = arena.alloc(16, 16);
        assert!(again > small && again < big, "{small} {again} {big}");
    }

    #[test]
    fn exhaustion_and_impossible_layouts_give_null() {
        let mut arena = Arena::new(2);
        assert_eq!(arena.alloc(3 * PAGE, 8), 0);
        assert_eq!(arena.alloc(1 << 20, 2 * PAGE), 0);
        assert_ne!(arena.alloc(PAGE, 8), 0);
    }

    #[test]
    fn a_block_fits_growth_within_its_class() {
        let layout = Layout::from_size_align(20, 8).expect("layout");
        assert!(Heap::fits(layout, 32));
        assert!(!Heap::fits(layout, 33));
        assert!(Heap::fits(layout, 17));
        assert!(
            !Heap::fits(layout, 16),
            "a smaller class frees to another list"
        );
    }
}

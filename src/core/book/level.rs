//! A kept price level: its price and volume exactly as the wire spelt them.

use crate::core::decimal::Decimal;

/// One price level. Keeps the wire strings so levels are handed out exactly as MAX sent them.
#[derive(Clone, Debug)]
pub struct Level {
    spelling: Spelling,
}

impl Level {
    pub(super) fn new(price: &str, volume: &str) -> Level {
        Level {
            spelling: Spelling::new(price, volume),
        }
    }

    /// The price as last sent by MAX.
    pub fn price(&self) -> &str {
        self.spelling.split().0
    }

    /// The volume as last sent by MAX.
    pub fn volume(&self) -> &str {
        self.spelling.split().1
    }

    /// The volume as an exact number (never zero: zero-volume levels are removed). Read again
    /// from the kept spelling, which was checked on the way in: a level stays small.
    pub fn volume_value(&self) -> Decimal {
        Decimal::parse(self.volume()).unwrap_or_default()
    }
}

impl PartialEq for Level {
    fn eq(&self, other: &Level) -> bool {
        self.spelling.split() == other.spelling.split()
    }
}

impl Eq for Level {}

/// Bytes a level keeps inline for its price and volume together; real levels ("60016.04",
/// "0.008308") take well under half.
const INLINE_SPELLING: usize = 30;

/// A level's price and volume spellings side by side, inline when short: keeping or updating a
/// level then allocates nothing, and a level is 32 bytes.
#[derive(Clone, Debug)]
enum Spelling {
    Inline {
        bytes: [u8; INLINE_SPELLING],
        price_len: u8,
        volume_len: u8,
    },
    Heap {
        text: Box<str>,
        price_len: usize,
    },
}

impl Spelling {
    fn new(price: &str, volume: &str) -> Spelling {
        Spelling::inline(price, volume).unwrap_or_else(|| {
            // Two pushes, not `concat`: its length check is a panic path of its own.
            let mut text = String::with_capacity(price.len() + volume.len());
            text.push_str(price);
            text.push_str(volume);
            Spelling::Heap {
                text: text.into_boxed_str(),
                price_len: price.len(),
            }
        })
    }

    /// `None` if the two do not fit inline.
    fn inline(price: &str, volume: &str) -> Option<Spelling> {
        let mut bytes = [0; INLINE_SPELLING];
        let (price_bytes, rest) = bytes.split_at_mut_checked(price.len())?;
        price_bytes.copy_from_slice(price.as_bytes());
        rest.get_mut(..volume.len())?
            .copy_from_slice(volume.as_bytes());
        Some(Spelling::Inline {
            bytes,
            price_len: u8::try_from(price.len()).ok()?,
            volume_len: u8::try_from(volume.len()).ok()?,
        })
    }

    /// `(price, volume)`. Both were whole `&str`s when stored, so every cut falls on a char
    /// boundary and the fallbacks to "" are never taken.
    fn split(&self) -> (&str, &str) {
        match self {
            Spelling::Inline {
                bytes,
                price_len,
                volume_len,
            } => {
                let (price, rest) = bytes
                    .split_at_checked(usize::from(*price_len))
                    .unwrap_or_default();
                let volume = rest.get(..usize::from(*volume_len)).unwrap_or_default();
                (
                    std::str::from_utf8(price).unwrap_or_default(),
                    std::str::from_utf8(volume).unwrap_or_default(),
                )
            }
            Spelling::Heap { text, price_len } => {
                text.split_at_checked(*price_len).unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_spellings_stay_inline_and_read_back() {
        let level = Level::new("60016.04", "0.008308");
        assert!(matches!(level.spelling, Spelling::Inline { .. }));
        assert_eq!((level.price(), level.volume()), ("60016.04", "0.008308"));
        assert_eq!(
            level.volume_value(),
            Decimal::from_units(8_308_000_000_000_000)
        );
        // Exactly the inline room, split anywhere.
        let price = "1".repeat(INLINE_SPELLING - 1);
        let level = Level::new(&price, "2");
        assert!(matches!(level.spelling, Spelling::Inline { .. }));
        assert_eq!((level.price(), level.volume()), (price.as_str(), "2"));
        assert_eq!(Level::new("", "").price(), "");
    }

    #[test]
    fn long_spellings_go_to_the_heap_and_read_back() {
        let price = format!("{}1.5", "0".repeat(40));
        let volume = format!("2.{}", "0".repeat(30));
        let level = Level::new(&price, &volume);
        assert!(matches!(level.spelling, Spelling::Heap { .. }));
        assert_eq!(
            (level.price(), level.volume()),
            (price.as_str(), volume.as_str())
        );
        assert_eq!(
            level.volume_value(),
            Decimal::from_units(2_000_000_000_000_000_000)
        );
        let one_over = Level::new(&"1".repeat(INLINE_SPELLING), "2");
        assert!(matches!(one_over.spelling, Spelling::Heap { .. }));
        assert_eq!(one_over.volume(), "2");
    }

    #[test]
    fn levels_are_equal_by_spelling() {
        assert_eq!(Level::new("1.5", "2"), Level::new("1.5", "2"));
        assert_ne!(Level::new("1.5", "2"), Level::new("1.50", "2"));
        assert_ne!(Level::new("1.5", "2"), Level::new("1.52", ""));
        let long = "9".repeat(40);
        assert_eq!(Level::new(&long, "1"), Level::new(&long, "1"));
    }
}

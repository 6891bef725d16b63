//! The limits every part of zero_g shares, in one place: the model formats refuse a file
//! past them, training refuses data past them, inference, the circuit and the statements
//! are sized by them, and the types that carry a class index are wide enough for all of
//! them.
//!
//! A class index travels as a [`Class`] (16 bits) everywhere: in data sets' labels, in
//! training, in accuracy counts, and it is never narrowed further. [`MAX_CLASSES`] is
//! exactly the number of values of [`Class`], so every class index of a valid model fits.

/// A class index: `0..MAX_CLASSES`.
pub type Class = u16;

/// The most classes a model may have (every format, every family, every data set):
/// `2^16`, so that every class index fits a [`Class`].
pub const MAX_CLASSES: usize = Class::MAX as usize + 1;

/// The most inputs (pixels or features) a model may have (a bound on allocation for hostile
/// files).
pub const MAX_INPUTS: usize = 1 << 20;

/// The longest feature or class name accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// The class index `c` as a [`Class`], or `None` past [`MAX_CLASSES`].
pub fn class(c: usize) -> Option<Class> {
    Class::try_from(c).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_index_of_a_model_fits_its_type() {
        assert_eq!(class(MAX_CLASSES - 1), Some(Class::MAX));
        assert_eq!(class(MAX_CLASSES), None);
        assert_eq!(class(299), Some(299));
    }
}

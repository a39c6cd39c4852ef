//! The rule for a password a person chooses: length over complexity.
//!
//! At least 15 characters (the floor NIST SP 800-63B and ASVS set when a
//! password is the only factor), any characters at all, spaces and pasting
//! welcome, no "one capital and one symbol" rules. The page checks length
//! with this; the server checks it again and also refuses passwords that are
//! common or easy to guess, which needs a dictionary too big for the page.

/// Fewest characters (Unicode scalar values, as people count them).
pub const MIN_PASSWORD_CHARS: usize = 15;
/// Most bytes: generous (ASVS asks that 64 characters be allowed) yet a cap,
/// so a megabyte "password" never reaches the hasher.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewPasswordError {
    #[error("Enter a password")]
    Empty,
    #[error("Password must be 15 characters or more")]
    TooShort,
    #[error("Password must be 1,024 characters or fewer")]
    TooLong,
    #[error("This password is too easy to guess. Try 3 or 4 random words, like 'mango river lantern'")]
    EasyToGuess,
}

/// Checks what can be checked without a dictionary.
pub fn check_length(password: &str) -> Result<(), NewPasswordError> {
    if password.is_empty() {
        Err(NewPasswordError::Empty)
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(NewPasswordError::TooLong)
    } else if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(NewPasswordError::TooShort)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_rule() {
        assert_eq!(check_length(""), Err(NewPasswordError::Empty));
        assert_eq!(check_length("short one"), Err(NewPasswordError::TooShort));
        assert_eq!(check_length("mango river lantern"), Ok(()));
        assert_eq!(check_length("all lower case and no digits"), Ok(()));
        assert_eq!(check_length(&"x".repeat(2000)), Err(NewPasswordError::TooLong));
        // Characters, not bytes: 15 accented letters are 30 bytes and enough.
        assert_eq!(check_length(&"é".repeat(15)), Ok(()));
        assert_eq!(check_length(&"é".repeat(14)), Err(NewPasswordError::TooShort));
    }
}

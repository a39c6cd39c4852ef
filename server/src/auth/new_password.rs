//! The server's half of the new-password rule: the length rule shared with
//! the page, then a guessability check that needs zxcvbn's dictionaries
//! (the most common passwords, names, words, keyboard patterns) and the
//! person's own details, so their own email address is refused as a password.

use portico_types::new_password::{self, NewPasswordError};

/// zxcvbn's score below which a password is refused: 3 is "safely
/// unguessable: moderate protection from offline slow-hash scenario".
const LEAST_SCORE: u8 = 3;
/// zxcvbn's matching grows faster than the length; beyond this many
/// characters a password is long enough that the rest need not be read.
const CHARS_SCORED: usize = 100;

/// Checks a password someone is choosing, given what is known about them.
pub fn check(password: &str, about_them: &[&str]) -> Result<(), NewPasswordError> {
    new_password::check_length(password)?;
    let scored: String = password.chars().take(CHARS_SCORED).collect();
    let entropy = zxcvbn::zxcvbn(&scored, about_them);
    if u8::from(entropy.score()) < LEAST_SCORE { Err(NewPasswordError::EasyToGuess) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert_eq!(check("passwordpassword", &[]), Err(NewPasswordError::EasyToGuess));
        assert_eq!(check("1234567890123456", &[]), Err(NewPasswordError::EasyToGuess));
        assert_eq!(check("qwertyuiopasdfgh", &[]), Err(NewPasswordError::EasyToGuess));
        assert_eq!(check("iloveyouiloveyou", &[]), Err(NewPasswordError::EasyToGuess));
        // Their own email address is not a password.
        assert_eq!(
            check("olivia.smith@example.com", &["olivia", "smith", "olivia.smith@example.com", "1970-03-04"]),
            Err(NewPasswordError::EasyToGuess)
        );
    }

    #[test]
    fn random_words_pass() {
        assert_eq!(check("mango river lantern", &[]), Ok(()));
        assert_eq!(check("correct horse battery staple", &[]), Ok(()));
    }

    #[test]
    fn length_comes_first_and_long_ones_are_cheap() {
        assert_eq!(check("short", &[]), Err(NewPasswordError::TooShort));
        // 900 characters: scored on its first 100, quickly.
        let _ = check(&"ab cd ef ".repeat(100), &[]);
        assert_eq!(check(&"x".repeat(5000), &[]), Err(NewPasswordError::TooLong));
    }
}

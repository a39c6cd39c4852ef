//! Types shared by the Portico server and the browser app.
//!
//! Domain values (`NhsNumber`, `EmailAddress`, `DateOfBirth`, `OdsCode`,
//! `MobileNumber`, `Postcode`, `InvitationCode`) can only
//! hold valid data: each is parsed once at the edge, and the page and the server
//! reject the same input with the same message. Wire types (`api`) carry plain
//! strings and are converted into domain values on the server.

pub mod api;
pub mod bundle;

/// Serialises a parsed string type as its text, and deserialises it through
/// `parse`, so a wire value can only become a valid one.
macro_rules! serde_as_parsed_string {
    ($ty:ty, $text:ident) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.$text())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

mod date_of_birth;
mod email;
mod invitation_code;
mod mobile_number;
pub mod new_password;
mod nhs_number;
mod ods_code;
mod postcode;
pub mod problem;
pub mod proof_of_work;

pub use date_of_birth::{DateOfBirth, DateOfBirthError};
pub use email::{EmailAddress, EmailAddressError};
pub use invitation_code::{CODE_LENGTH, InvitationCode, InvitationCodeError};
pub use mobile_number::{MobileNumber, MobileNumberError};
pub use nhs_number::{NhsNumber, NhsNumberError};
pub use ods_code::{OdsCode, OdsCodeError};
pub use postcode::{Postcode, PostcodeError};

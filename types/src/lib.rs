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

/// The OpenAPI schema of a parsed string type: a string of the form it is
/// sent in, so the document says what the value is rather than "any string".
#[cfg(feature = "openapi")]
macro_rules! openapi_string_schema {
    ($ty:ty, $description:expr, format = $format:expr, pattern = $pattern:expr, example = $example:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
                let format: Option<&str> = $format;
                let pattern: Option<&str> = $pattern;
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .format(format.map(|f| SchemaFormat::Custom(f.into())))
                    .pattern(pattern)
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}

#[cfg(feature = "openapi")]
mod openapi_schemas {
    use super::*;

    openapi_string_schema!(
        NhsNumber,
        "An NHS number: ten digits, the last a modulus 11 check digit, sent without spaces.",
        format = None,
        pattern = Some("^[0-9]{10}$"),
        example = "9434765919"
    );
    openapi_string_schema!(
        EmailAddress,
        "An email address, as the person gave it (trimmed).",
        format = Some("email"),
        pattern = None,
        example = "patient@example.com"
    );
    openapi_string_schema!(
        DateOfBirth,
        "A date of birth (`YYYY-MM-DD`): a real date, not in the future, not before 1900.",
        format = Some("date"),
        pattern = Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        example = "1980-01-31"
    );
    openapi_string_schema!(
        MobileNumber,
        "A UK mobile number in E.164 form.",
        format = None,
        pattern = Some("^\\+447[0-9]{9}$"),
        example = "+447700900123"
    );
    openapi_string_schema!(
        OdsCode,
        "An ODS code (NHS Organisation Data Service): 3 to 10 letters and digits, upper case.",
        format = None,
        pattern = Some("^[0-9A-Z]{3,10}$"),
        example = "RJ1"
    );
    openapi_string_schema!(
        Postcode,
        "A UK postcode, upper case with one space before the inward code.",
        format = None,
        pattern = Some("^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"),
        example = "LS1 4AP"
    );
    openapi_string_schema!(
        InvitationCode,
        "A registration code: 12 Crockford base32 characters, the last a Luhn mod 32 check character, ungrouped.",
        format = None,
        pattern = Some("^[0-9A-HJKMNP-TV-Z]{12}$"),
        example = "7KQM2XRD93TB"
    );
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

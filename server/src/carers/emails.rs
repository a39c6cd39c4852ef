//! The words of carers' emails. Names only, never clinical detail; links from
//! the configured base address.

use portico_types::EmailAddress;
use url::Url;

use crate::mail::Email;
use crate::mail::templates::{email, link, long_date};

/// To the carer a patient invited.
pub fn invited_by_patient(base: &Url, to: &EmailAddress, patient: &str, token: &str, expires: time::Date) -> Email {
    email(
        to,
        "You have been invited to help with someone's health record",
        format!(
            "{patient} has invited you to see their health record in Portico as their carer.\n\n\
             To accept, go to:\n{}\n\n\
             You can sign in if you already have a Portico account with this email address, or register. \
             The link works once and expires on {}.\n\n\
             If you were not expecting this email, you can ignore it.",
            link(base, "carers/accept", Some(("token", token))),
            long_date(expires),
        ),
    )
}

/// To a parent, guardian or carer a professional added.
pub fn added_by_professional(
    base: &Url,
    to: &EmailAddress,
    patient: &str,
    organisation: &str,
    token: &str,
    expires: time::Date,
) -> Email {
    email(
        to,
        "You have been given access to a health record",
        format!(
            "{organisation} has added you as someone who can see {patient}'s health record in Portico.\n\n\
             To accept, go to:\n{}\n\n\
             You can sign in if you already have a Portico account with this email address, or register. \
             The link works once and expires on {}.\n\n\
             If you were not expecting this email, contact {organisation}.",
            link(base, "carers/accept", Some(("token", token))),
            long_date(expires),
        ),
    )
}

/// To the patient: someone accepted their invitation.
pub fn access_granted(base: &Url, to: &EmailAddress, carer: &str) -> Email {
    email(
        to,
        "Someone can now see your health record",
        format!(
            "{carer} can now see your health record in Portico as your carer.\n\n\
             You can see who has access, and end it at any time, at:\n{}\n\n\
             If you did not expect this, end their access straight away.",
            link(base, "record/carers", None),
        ),
    )
}

//! Carers' emails, on the templates of `server/templates/email`. Names only,
//! never clinical detail; links from the configured base address.

use portico_types::EmailAddress;
use url::Url;

use crate::mail::Email;
use crate::mail::templates;

/// To the carer a patient invited.
pub fn invited_by_patient(base: &Url, to: &EmailAddress, patient: &str, token: &str, expires: time::Date) -> Email {
    templates::carer_invited(base, to, patient, None, token, expires)
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
    templates::carer_invited(base, to, patient, Some(organisation), token, expires)
}

/// To the patient: someone accepted their invitation.
pub fn access_granted(base: &Url, to: &EmailAddress, carer: &str) -> Email {
    templates::carer_added(base, to, carer)
}

//! The join page's form: the details a patient types, checked, then a
//! registration (as the invited journey has, but for a team rather than an
//! invitation) and the email that proves the address, in one transaction.
//! From there the registration module's email and password steps carry on.
//!
//! The client address is counted before anything else is read, so a flood
//! of bad forms meets the limit as surely as a flood of good ones; the
//! email address is counted once the form is otherwise good. Nothing is
//! written but counters until every check has passed.

use portico_types::api::{JoinRequest, RegistrationView};
use portico_types::problem::FieldError;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use sha2::{Digest as _, Sha256};
use time::{Date, Duration, OffsetDateTime};

use super::page::JoinPage;
use super::proof_of_work::{self, Refused};
use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::clock::stored;
use crate::db::Tx;
use crate::records::details;
use crate::registration::email::{self as email_step, EmailStepError};
use crate::registration::{self, Purpose, REGISTRATION_LIFETIME, Registration};
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// The details a join form carries, each parsed.
#[derive(Debug, Clone)]
pub struct JoinDetails {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub nhs_number: Option<NhsNumber>,
    pub email: EmailAddress,
    pub mobile: Option<MobileNumber>,
}

/// Every field of the form checked at once, so the page can list every problem.
pub fn parse(form: &JoinRequest, today: Date) -> Result<JoinDetails, Vec<FieldError>> {
    let mut errors = Vec::new();
    let given_name = details::name("given_name", "first name", &form.given_name).map_err(|e| errors.push(e));
    let family_name = details::name("family_name", "last name", &form.family_name).map_err(|e| errors.push(e));
    let date_of_birth =
        DateOfBirth::parse(&form.date_of_birth, today).map_err(|e| errors.push(FieldError::new("date_of_birth", e)));
    let nhs_number =
        optional(&form.nhs_number, NhsNumber::parse).map_err(|e| errors.push(FieldError::new("nhs_number", e)));
    let email = EmailAddress::parse(&form.email).map_err(|e| errors.push(FieldError::new("email", e)));
    let mobile = optional(&form.mobile, MobileNumber::parse).map_err(|e| errors.push(FieldError::new("mobile", e)));
    match (given_name, family_name, date_of_birth, nhs_number, email, mobile) {
        (Ok(given_name), Ok(family_name), Ok(date_of_birth), Ok(nhs_number), Ok(email), Ok(mobile)) => {
            Ok(JoinDetails { given_name, family_name, date_of_birth, nhs_number, email, mobile })
        }
        _ => Err(errors),
    }
}

/// An optional field: empty (or spaces) is none, anything else must parse.
fn optional<T, E>(raw: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    if raw.trim().is_empty() { Ok(None) } else { parse(raw).map(Some) }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("too many sign-ups from this address or for this email")]
    TooManySignUps { retry_after_secs: u64 },
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The hidden field was filled in: a script, not a person.
    #[error("the form looks automated")]
    Automated,
    #[error("proof of work refused: {0}")]
    ProofOfWork(Refused),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StartError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

impl From<EmailStepError> for StartError {
    fn from(err: EmailStepError) -> Self {
        match err {
            EmailStepError::TooManyEmails => Self::Internal(anyhow::anyhow!("a new registration had sent emails")),
            EmailStepError::Internal(err) => Self::Internal(err),
        }
    }
}

/// A registration begun: the cookie's token and what the page shows next.
#[derive(Debug)]
pub struct Started {
    pub token: OneTimeToken,
    pub view: RegistrationView,
}

/// Checks the form sent to `page` from `ip` and, when it passes, begins
/// the registration and sends the email that proves the address.
pub async fn start(state: &AppState, page: &JoinPage, form: &JoinRequest, ip: &str) -> Result<Started, StartError> {
    let now = state.now();
    let per_address = Policy {
        free_attempts: state.settings.join_sign_ups_per_address.max(1),
        first_lock: Duration::minutes(10),
        max_lock: Duration::hours(1),
        window: Duration::hours(1),
    };
    claim(state, &Key::scoped("join-ip", ip), per_address, now).await?;
    if !form.leave_blank.is_empty() {
        return Err(StartError::Automated);
    }
    let details = parse(form, now.date()).map_err(StartError::Invalid)?;
    proof_of_work::check(
        &state.keys,
        &page.team_id,
        &form.challenge,
        &form.nonce,
        state.settings.join_proof_of_work_bits,
        now,
    )
    .map_err(StartError::ProofOfWork)?;
    let per_email = Policy {
        free_attempts: state.settings.join_sign_ups_per_email.max(1),
        first_lock: Duration::hours(1),
        max_lock: Duration::days(1),
        window: Duration::days(1),
    };
    let email_key = hex::encode(Sha256::digest(details.email.as_str().to_lowercase().as_bytes()));
    claim(state, &Key::scoped("join-email", &email_key), per_email, now).await?;

    let token = OneTimeToken::generate();
    let mut tx = state.db.begin_write().await?;
    proof_of_work::use_up(&mut tx, state.db.engine, &form.challenge, now).await.map_err(|e| match e {
        proof_of_work::UseError::Used => StartError::ProofOfWork(Refused::Used),
        proof_of_work::UseError::Database(e) => e.into(),
    })?;
    let registration = begin(&mut tx, page, &details, &token, now).await?;
    email_step::send_proof(&mut tx, state, &registration, &details.email, ip, now).await?;
    tx.commit().await?;
    let view = registration::view_by_id(&state.db, &registration.id, now).await?;
    Ok(Started { token, view })
}

/// Counts one form against `key`, in a transaction of its own that stands
/// whatever happens to the form.
async fn claim(state: &AppState, key: &Key, policy: Policy, now: OffsetDateTime) -> Result<(), StartError> {
    let mut tx = state.db.begin_write().await?;
    let claimed = throttle::claim(&mut tx, state.db.engine, key, policy, now).await?;
    tx.commit().await?;
    match claimed {
        Claim::Allowed { .. } => Ok(()),
        Claim::Refused { retry_after } => {
            Err(StartError::TooManySignUps { retry_after_secs: throttle::wait_secs(retry_after) })
        }
    }
}

/// Writes the registration row that holds the details until the account exists.
async fn begin(
    tx: &mut Tx,
    page: &JoinPage,
    details: &JoinDetails,
    token: &OneTimeToken,
    now: OffsetDateTime,
) -> Result<Registration, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let expires_at = now + REGISTRATION_LIFETIME;
    sqlx::query(
        "INSERT INTO registrations (id, token_hash, started_at, expires_at, join_team_id, given_name, family_name, \
         date_of_birth, nhs_number, mobile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(token.hash())
    .bind(stored(now))
    .bind(stored(expires_at))
    .bind(&page.team_id)
    .bind(&details.given_name)
    .bind(&details.family_name)
    .bind(details.date_of_birth.iso())
    .bind(details.nhs_number.map(|n| n.as_digits()))
    .bind(details.mobile.as_ref().map(|m| m.e164().to_owned()))
    .execute(&mut **tx)
    .await?;
    Ok(Registration {
        id,
        purpose: Purpose::SignUp { team_id: page.team_id.clone(), given_name: details.given_name.clone() },
        expires_at,
        email: None,
        email_sent_at: None,
        email_verified: false,
        email_sends: 0,
        email_code_hash: None,
        email_code_attempts: 0,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn form() -> JoinRequest {
        JoinRequest {
            given_name: " Ada ".into(),
            family_name: "Lovelace".into(),
            date_of_birth: "1985-03-07".into(),
            nhs_number: "943 476 5919".into(),
            email: "ada@example.com".into(),
            mobile: String::new(),
            ..JoinRequest::default()
        }
    }

    #[test]
    fn a_good_form_parses_with_its_optional_fields_empty() {
        let details = parse(&form(), date!(2026 - 11 - 27)).unwrap();
        assert_eq!(details.given_name, "Ada");
        assert!(details.nhs_number.is_some());
        assert!(details.mobile.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = JoinRequest {
            given_name: String::new(),
            family_name: "<b>".into(),
            date_of_birth: "2030-01-01".into(),
            nhs_number: "9434765918".into(),
            email: "not an email".into(),
            mobile: "12345".into(),
            ..JoinRequest::default()
        };
        let errors = parse(&bad, date!(2026 - 11 - 27)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["given_name", "family_name", "date_of_birth", "nhs_number", "email", "mobile"]);
    }
}

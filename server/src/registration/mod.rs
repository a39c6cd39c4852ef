//! Registration by invitation: the code and the date of birth together, then
//! an email address proved by a link or a six-digit code, then a password;
//! the account, its link to the record, the invitation's use and the audit
//! rows are one transaction.
//!
//! Between steps the registration is a row found by the hash of a token in an
//! HttpOnly cookie. Opening the email link on another device gives that
//! device a token of its own, so the patient can carry on where they read
//! their email, or where they started.
//!
//! A registration begun on a team's join page (`crate::self_registration`)
//! has no invitation: the same email proof and password steps make the
//! account, which then waits in the team's queue.

pub mod complete;
pub mod confirm;
pub mod email;
pub mod link;
pub mod refusals;
pub mod renewal;
pub mod renewal_limit;
pub mod routes;
pub mod start;

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use portico_types::EmailAddress;
use portico_types::api::{RegistrationStep, RegistrationView};
use time::{Duration, OffsetDateTime};

use crate::audit::Event;
use crate::clock::parse_stored;
use crate::db::Db;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// How long a registration lasts from the code and date of birth matching.
pub const REGISTRATION_LIFETIME: Duration = Duration::hours(2);
/// How long an email link and its six-digit code work.
pub const EMAIL_PROOF_LIFETIME: Duration = Duration::hours(1);
/// The keyed-hash domain of the six-digit email codes.
pub const EMAIL_CODE_PURPOSE: &str = "registration-email-code";

/// What a registration is for.
#[derive(Debug, Clone)]
pub enum Purpose {
    /// Claiming an invited record.
    Invitation(Invited),
    /// Joining team `team_id`'s queue from its join page: the details typed
    /// there wait on the registration (see `crate::self_registration`).
    SignUp { team_id: String, given_name: String },
}

/// The invitation a registration claims, and its record.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation_id: String,
    pub record_id: String,
    /// A professional's own record: the account it joins, whose password
    /// stands in for the email and password steps.
    pub for_account_id: Option<String>,
}

/// A registration in progress, as stored.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: String,
    pub purpose: Purpose,
    pub expires_at: OffsetDateTime,
    pub email: Option<String>,
    pub email_sent_at: Option<OffsetDateTime>,
    pub email_verified: bool,
    pub email_sends: i64,
    pub email_code_hash: Option<String>,
    pub email_code_attempts: i64,
}

impl Registration {
    /// The invitation it claims; `None` for a sign-up from a join page.
    pub fn invited(&self) -> Option<&Invited> {
        match &self.purpose {
            Purpose::Invitation(invited) => Some(invited),
            Purpose::SignUp { .. } => None,
        }
    }

    /// The account a professional's invitation joins the record to.
    pub fn for_account_id(&self) -> Option<&str> {
        self.invited().and_then(|i| i.for_account_id.as_deref())
    }

    /// `event` said of this registration's record, or of the team it joins.
    pub fn about<'a>(&'a self, mut event: Event<'a>) -> Event<'a> {
        match &self.purpose {
            Purpose::Invitation(invited) => event.record_id = Some(invited.record_id.as_str()),
            Purpose::SignUp { team_id, .. } => event.team_id = Some(team_id.as_str()),
        }
        event
    }
}

type RegistrationRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const SELECT: &str = "SELECT id, invitation_id, record_id, expires_at, email, email_sent_at, email_verified_at, \
     email_sends, email_code_hash, email_code_attempts, completed_at, \
     (SELECT i.for_account_id FROM invitations i WHERE i.id = registrations.invitation_id), \
     join_team_id, given_name FROM registrations";

fn from_row(row: RegistrationRow, now: OffsetDateTime) -> Option<Registration> {
    let (
        id,
        invitation_id,
        record_id,
        expires_at,
        email,
        sent_at,
        verified_at,
        sends,
        code_hash,
        attempts,
        completed,
        for_account_id,
        join_team_id,
        given_name,
    ) = row;
    let expires_at = parse_stored(&expires_at)?;
    // A finished or timed-out registration is as good as none.
    if completed.is_some() || expires_at <= now {
        return None;
    }
    // The table's check allows exactly these two shapes.
    let purpose = match (invitation_id, record_id, join_team_id, given_name) {
        (Some(invitation_id), Some(record_id), None, _) => {
            Purpose::Invitation(Invited { invitation_id, record_id, for_account_id })
        }
        (None, None, Some(team_id), Some(given_name)) => Purpose::SignUp { team_id, given_name },
        _ => return None,
    };
    Some(Registration {
        id,
        purpose,
        expires_at,
        email,
        email_sent_at: sent_at.as_deref().and_then(parse_stored),
        email_verified: verified_at.is_some(),
        email_sends: sends,
        email_code_hash: code_hash,
        email_code_attempts: attempts,
    })
}

/// The live registration whose cookie token hashes to `token_hash`.
pub async fn by_token(db: &Db, token_hash: &str, now: OffsetDateTime) -> Result<Option<Registration>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE token_hash = $1 OR second_token_hash = $1");
    let row: Option<RegistrationRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&db.pool).await?;
    Ok(row.and_then(|row| from_row(row, now)))
}

/// The live registration `id`.
pub async fn by_id(db: &Db, id: &str, now: OffsetDateTime) -> Result<Option<Registration>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row: Option<RegistrationRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?;
    Ok(row.and_then(|row| from_row(row, now)))
}

/// The live registration whose email link token hashes to `link_hash`.
pub async fn by_email_link(db: &Db, link_hash: &str, now: OffsetDateTime) -> Result<Option<Registration>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE email_link_hash = $1");
    let row: Option<RegistrationRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(link_hash).fetch_optional(&db.pool).await?;
    Ok(row.and_then(|row| from_row(row, now)))
}

/// What the page is told about a registration.
pub async fn view_of(db: &Db, registration: &Registration) -> Result<RegistrationView, sqlx::Error> {
    let (given_name, record_email) = match &registration.purpose {
        Purpose::Invitation(invited) => {
            let (given_name, record_email): (String, Option<String>) =
                sqlx::query_as("SELECT given_name, email FROM records WHERE id = $1")
                    .bind(&invited.record_id)
                    .fetch_one(&db.pool)
                    .await?;
            if let Some(account_id) = &invited.for_account_id {
                let email: Option<String> = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
                    .bind(account_id)
                    .fetch_optional(&db.pool)
                    .await?;
                let email = email.and_then(|e| EmailAddress::parse(&e).ok());
                return Ok(RegistrationView { step: RegistrationStep::LinkAccount, given_name, email });
            }
            (given_name, record_email)
        }
        Purpose::SignUp { given_name, .. } => (given_name.clone(), None),
    };
    let step = if registration.email_verified {
        RegistrationStep::Password
    } else if registration.email_sent_at.is_some() {
        RegistrationStep::ConfirmEmail
    } else {
        RegistrationStep::Email
    };
    let email = registration.email.as_deref().or(record_email.as_deref()).and_then(|e| EmailAddress::parse(e).ok());
    Ok(RegistrationView { step, given_name, email })
}

/// What the page is told about registration `id`, just changed by a step.
pub async fn view_by_id(db: &Db, id: &str, now: OffsetDateTime) -> anyhow::Result<RegistrationView> {
    let registration = by_id(db, id, now).await?.ok_or_else(|| anyhow::anyhow!("the registration is gone"))?;
    Ok(view_of(db, &registration).await?)
}

/// The registration cookie's name; over TLS with the `__Host-` prefix.
fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.served_over_tls() { "__Host-portico-registration" } else { "portico-registration" }
}

pub fn cookie(state: &AppState, token: &OneTimeToken) -> Cookie<'static> {
    Cookie::build((cookie_name(state), token.as_str().to_owned()))
        .http_only(true)
        .secure(state.settings.served_over_tls())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(REGISTRATION_LIFETIME)
        .build()
}

pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = cookie(state, &OneTimeToken::generate());
    cookie.make_removal();
    cookie
}

/// The token in the request's registration cookie, if any.
pub fn token(state: &AppState, jar: &CookieJar) -> Option<OneTimeToken> {
    jar.get(cookie_name(state)).and_then(|c| OneTimeToken::parse(c.value()))
}

//! A patient identifies themselves at a kiosk: their date of birth with
//! their family name, their NHS number or the reference on their appointment
//! letter, matched only among the kiosk's team's records.
//!
//! Every attempt is counted before anything is looked up, per kiosk (a rate
//! limit) and per identity tried at that kiosk (by a hash of the name,
//! number or reference, so one that matches no record is counted exactly
//! like one that does): five wrong dates of birth within 15 minutes and the
//! patient is asked to go to reception, and further tries wait. Not found,
//! excluded and ambiguous are one answer, counted alike, so a kiosk never
//! tells anyone that a record is excluded, or exists. A match that can be
//! invited gets a single-use token, bound to the kiosk and the record, that
//! lives two minutes: long enough to choose how to be invited.

use portico_types::api::KioskInviteVia;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use super::Kiosk;
use crate::audit::{self, Action, Event};
use crate::auth::throttle::{self, Claim, Key, Policy};
use crate::clock::stored;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

/// How long a patient has between being found and choosing how to be invited.
pub const CHECK_IN_LIFETIME: Duration = Duration::minutes(2);

/// Wrong tries an identity gets at one kiosk before the patient is sent to reception.
pub const ATTEMPTS_PER_IDENTITY: i64 = 5;

const PER_IDENTITY: Policy = Policy {
    free_attempts: ATTEMPTS_PER_IDENTITY,
    first_lock: Duration::minutes(15),
    max_lock: Duration::hours(1),
    window: Duration::minutes(15),
};

/// Check-ins one kiosk takes, found or not: far above a waiting room's pace,
/// and a wall against working through names and dates from one screen.
pub const CHECK_INS_PER_KIOSK: i64 = 40;

const PER_KIOSK: Policy = Policy {
    free_attempts: CHECK_INS_PER_KIOSK,
    first_lock: Duration::minutes(1),
    max_lock: Duration::minutes(15),
    window: Duration::minutes(10),
};

/// The longest appointment letter reference looked up.
const REFERENCE_MAX_CHARS: usize = 64;

/// What the patient gave, besides their date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Lower case, letters and digits only: "O'Brien" and "obrien" are one name.
    FamilyName(String),
    NhsNumber(NhsNumber),
    /// Upper case, as printed: `APT-20261125-0042`.
    LetterReference(String),
}

impl Identity {
    pub fn family_name(input: &str) -> Result<Self, &'static str> {
        let name = normalised_name(input);
        if name.is_empty() { Err("Enter your surname") } else { Ok(Self::FamilyName(name)) }
    }

    pub fn letter_reference(input: &str) -> Result<Self, &'static str> {
        let reference = input.trim().to_uppercase();
        if reference.is_empty() {
            Err("Enter the reference from your appointment letter")
        } else if reference.chars().count() > REFERENCE_MAX_CHARS {
            Err("The reference on an appointment letter is shorter than that: check it and try again")
        } else {
            Ok(Self::LetterReference(reference))
        }
    }

    /// The throttle key of this identity at `kiosk_id`: a hash, so the
    /// throttle table never holds a name or an NHS number.
    fn key(&self, kiosk_id: &str) -> Key {
        let text = match self {
            Self::FamilyName(name) => format!("name:{name}"),
            Self::NhsNumber(number) => format!("nhs:{}", number.as_digits()),
            Self::LetterReference(reference) => format!("ref:{reference}"),
        };
        let digest = Sha256::digest(format!("{kiosk_id}\0{text}").as_bytes());
        Key::scoped("kiosk-identity", &hex::encode(digest))
    }
}

fn normalised_name(input: &str) -> String {
    input.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// What a check-in found.
#[derive(Debug)]
pub enum CheckedIn {
    Invitable {
        token: OneTimeToken,
        options: Vec<KioskInviteVia>,
    },
    AlreadyRegistered,
    /// Not found, excluded, or more than one record: the same answer.
    NotFound,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    /// Too many wrong tries for this identity here: ask at reception.
    #[error("too many wrong tries for this identity at this kiosk")]
    Locked,
    #[error("too many check-ins at this kiosk")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CheckInError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// A record that matched: id, family name, owner, exclusion, email, mobile.
type Candidate = (String, String, Option<String>, Option<String>, Option<String>, Option<String>);

pub async fn check_in(
    state: &AppState,
    kiosk: &Kiosk,
    date_of_birth: &DateOfBirth,
    identity: &Identity,
    ip: &str,
) -> Result<CheckedIn, CheckInError> {
    let now = state.now();
    let kiosk_key = Key::scoped("kiosk", &kiosk.id);
    let identity_key = identity.key(&kiosk.id);
    let identity_claim = {
        let mut tx = state.db.begin_write().await?;
        if let Claim::Refused { retry_after } =
            throttle::claim(&mut tx, state.db.engine, &kiosk_key, PER_KIOSK, now).await?
        {
            tx.rollback().await?;
            return Err(CheckInError::TooManyAttempts { retry_after_secs: throttle::wait_secs(retry_after) });
        }
        let claim = throttle::claim(&mut tx, state.db.engine, &identity_key, PER_IDENTITY, now).await?;
        tx.commit().await?; // the kiosk's count stands either way
        if let Claim::Refused { .. } = claim {
            return Err(CheckInError::Locked);
        }
        claim
    };

    let candidates = candidates(state, &kiosk.team_id, date_of_birth, identity).await?;
    let found = match candidates.as_slice() {
        [only] if only.3.is_none() => Some(only),
        // Nobody, somebody excluded, or more than one record: alike.
        _ => None,
    };
    let Some((record_id, _, owner, _, email, mobile)) = found else {
        return match identity_claim {
            Claim::Allowed { locked_now: true, failures } => {
                audit_lock(state, kiosk, failures, ip, now).await?;
                Err(CheckInError::Locked)
            }
            _ => Ok(CheckedIn::NotFound),
        };
    };

    let mut tx = state.db.begin_write().await?;
    crate::auth::throttle::forgive_key(&mut tx, &identity_key).await?;
    if owner.is_some() {
        tx.commit().await?;
        return Ok(CheckedIn::AlreadyRegistered);
    }
    // Old check-ins go as new ones come: the table stays a few rows long.
    sqlx::query("DELETE FROM kiosk_check_ins WHERE expires_at <= $1").bind(stored(now)).execute(&mut *tx).await?;
    let token = OneTimeToken::generate();
    sqlx::query(
        "INSERT INTO kiosk_check_ins (token_hash, kiosk_id, record_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token.hash())
    .bind(&kiosk.id)
    .bind(record_id)
    .bind(stored(now))
    .bind(stored(now + CHECK_IN_LIFETIME))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(CheckedIn::Invitable { token, options: options(email.as_deref(), mobile.as_deref()) })
}

/// How the record's own contact details let the patient be invited: the
/// screen always; a text message or an email only to what the record holds.
fn options(email: Option<&str>, mobile: Option<&str>) -> Vec<KioskInviteVia> {
    let mut options = Vec::new();
    if mobile.is_some_and(|m| MobileNumber::parse(m).is_ok()) {
        options.push(KioskInviteVia::Sms);
    }
    if email.is_some_and(|e| EmailAddress::parse(e).is_ok()) {
        options.push(KioskInviteVia::Email);
    }
    options.push(KioskInviteVia::Screen);
    options
}

/// The team's records with this date of birth that `identity` names.
async fn candidates(
    state: &AppState,
    team_id: &str,
    date_of_birth: &DateOfBirth,
    identity: &Identity,
) -> Result<Vec<Candidate>, sqlx::Error> {
    const SELECT: &str = "SELECT r.id, r.family_name, r.owner_account_id, x.record_id, r.email, r.mobile \
         FROM records r JOIN team_records tr ON tr.record_id = r.id LEFT JOIN exclusions x ON x.record_id = r.id \
         WHERE tr.team_id = $1 AND r.date_of_birth = $2";
    let (filter, value) = match identity {
        // Names are compared in their normalised form, below.
        Identity::FamilyName(_) => ("", None),
        Identity::NhsNumber(number) => (" AND r.nhs_number = $3", Some(number.as_digits())),
        Identity::LetterReference(reference) => (
            " AND r.id IN (SELECT e.record_id FROM entries e WHERE e.kind = 'appointment' AND UPPER(e.source_id) = $3)",
            Some(reference.clone()),
        ),
    };
    let sql = format!("{SELECT}{filter} LIMIT 20");
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(team_id).bind(date_of_birth.iso());
    if let Some(value) = value {
        query = query.bind(value);
    }
    let rows: Vec<Candidate> = query.fetch_all(&state.db.pool).await?;
    Ok(match identity {
        Identity::FamilyName(name) => rows.into_iter().filter(|row| normalised_name(&row.1) == *name).collect(),
        _ => rows,
    })
}

/// The last free try of an identity found nobody (to invite): audited, since
/// that is when reception should hear of it.
async fn audit_lock(
    state: &AppState,
    kiosk: &Kiosk,
    failures: i64,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.begin_write().await?;
    let event = Event::new(Action::KioskCheckInLocked, now)
        .team(&kiosk.team_id)
        .ip(Some(ip))
        .detail(json!({ "kiosk_id": kiosk.id, "failures": failures }));
    audit::record(&mut tx, event).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_the_punctuation_and_case() {
        assert_eq!(Identity::family_name(" O'Brien "), Identity::family_name("obrien"));
        assert_eq!(Identity::family_name("Smith-Jones"), Identity::family_name("smith jones"));
        assert_eq!(Identity::family_name("ŁUKASZ"), Identity::family_name("łukasz"));
        assert!(Identity::family_name(" -' ").is_err());
    }

    #[test]
    fn references_are_read_as_printed() {
        assert_eq!(Identity::letter_reference(" apt-42 "), Ok(Identity::LetterReference("APT-42".into())));
        assert!(Identity::letter_reference("").is_err());
        assert!(Identity::letter_reference(&"A".repeat(65)).is_err());
    }

    #[test]
    fn identity_keys_hold_no_name_and_differ_per_kiosk() {
        let name = Identity::family_name("Okafor").unwrap();
        let here = name.key("kiosk-1").text();
        assert!(!here.to_lowercase().contains("okafor"));
        assert_ne!(here, name.key("kiosk-2").text());
    }

    #[test]
    fn the_screen_is_always_an_option() {
        assert_eq!(options(None, None), vec![KioskInviteVia::Screen]);
        assert_eq!(options(Some("not an address"), Some("020 7946 0000")), vec![KioskInviteVia::Screen]);
        assert_eq!(
            options(Some("jo@example.com"), Some("07700 900982")),
            vec![KioskInviteVia::Sms, KioskInviteVia::Email, KioskInviteVia::Screen]
        );
    }
}

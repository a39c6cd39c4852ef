//! Accepting a carer invitation: by an account already signed in, whose
//! verified email must be the address the invitation went to; or by a new
//! account for that address, where following the emailed link (a 256-bit
//! token sent only there) is the proof that the address is theirs. Either
//! way the invitation is used and the link made in one transaction, so of
//! two acceptances at once exactly one wins.

use portico_types::EmailAddress;
use portico_types::api::{AcceptedCarerInvitation, CarerInvitationLookup};
use portico_types::new_password::NewPasswordError;
use serde_json::json;
use time::OffsetDateTime;

use super::AccessLevel;
use super::bands::{Standing, narrower};
use super::emails;
use super::settings;
use crate::audit::{self, Action, Event};
use crate::auth::new_password;
use crate::auth::sessions::{self, Token};
use crate::clock::{parse_stored, stored};
use crate::db::Tx;
use crate::mail;
use crate::mail::templates::CarerAccessChange;
use crate::notifications::send;
use crate::secrets::OneTimeToken;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// Used, revoked, expired, or never issued: one answer for all.
    #[error("the invitation can no longer be used")]
    UsedUp,
    /// The signed-in account is not the one the invitation was sent to.
    #[error("the invitation was sent to another address")]
    WrongAccount,
    /// The patient cannot be their own carer.
    #[error("this is the account's own record")]
    OwnRecord,
    #[error("the account already holds this record")]
    AlreadyCarer,
    /// An exclusion was set after the invitation went out.
    #[error("the record is excluded")]
    Excluded,
    /// The child reached the organisation's age before the parent accepted.
    #[error("the child has come of age")]
    CameOfAge,
    /// Registering: an account already uses the address; sign in and accept.
    #[error("an account uses the address")]
    EmailHasAccount,
    #[error("invalid input")]
    Invalid { display_name: bool, password: Option<NewPasswordError>, terms_not_accepted: bool },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AcceptError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// An issued invitation's terms, as `take` reads them.
type InvitationRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

const SELECT: &str = "SELECT id, record_id, email, kind, access_level, relationship, legal_basis, legal_note, \
     organisation_id, ends_at, review_at, exclusion_override, invited_by, expires_at FROM carer_invitations \
     WHERE token_hash = $1 AND state = 'issued'";

/// The address a live invitation went to, or `None`.
async fn address_of(
    state: &AppState,
    token: &OneTimeToken,
    now: OffsetDateTime,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<InvitationRow> = sqlx::query_as(SELECT).bind(token.hash()).fetch_optional(&state.db.pool).await?;
    Ok(row.filter(|r| parse_stored(&r.13).is_some_and(|expires| expires > now)).map(|r| r.2))
}

/// What the accept page shows of the live invitation `token` carries; reading
/// it uses nothing (a mail scanner following the link changes nothing).
pub async fn lookup(state: &AppState, token: &OneTimeToken) -> Result<CarerInvitationLookup, AcceptError> {
    let now = state.now();
    let row: Option<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT r.given_name, i.kind, i.access_level, i.email, i.expires_at, \
         (SELECT a.id FROM accounts a WHERE LOWER(a.email) = LOWER(i.email)) \
         FROM carer_invitations i JOIN records r ON r.id = i.record_id WHERE i.token_hash = $1 AND i.state = 'issued'",
    )
    .bind(token.hash())
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((given_name, kind, level, email, expires_at, account)) = row else { return Err(AcceptError::UsedUp) };
    if parse_stored(&expires_at).is_none_or(|expires| expires <= now) {
        return Err(AcceptError::UsedUp);
    }
    let (Some(kind), Some(access_level)) = (super::CarerKind::parse(&kind), super::AccessLevel::parse(&level)) else {
        return Err(AcceptError::UsedUp);
    };
    Ok(CarerInvitationLookup { given_name, kind, access_level, email, has_account: account.is_some(), expires_at })
}

/// The signed-in `account_id` accepts the invitation `token` carries.
pub async fn accept(
    state: &AppState,
    account_id: &str,
    token: &OneTimeToken,
    ip: &str,
) -> Result<AcceptedCarerInvitation, AcceptError> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let account: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT email, email_verified_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((account_email, Some(_verified))) = account else { return Err(AcceptError::WrongAccount) };
    let accepted = take(&mut tx, state, token, account_id, &account_email, ip, now).await?;
    tx.commit().await?;
    Ok(accepted)
}

/// What a new carer gives to register.
#[derive(Debug, Clone, Copy)]
pub struct NewCarer<'a> {
    pub display_name: &'a str,
    pub password: &'a str,
    pub accept_terms: bool,
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
}

/// Makes an account for the invitation's address, accepts, and signs it in.
pub async fn register(
    state: &AppState,
    token: &OneTimeToken,
    new: NewCarer<'_>,
) -> Result<(AcceptedCarerInvitation, Token), AcceptError> {
    let now = state.now();
    let email = address_of(state, token, now).await?.ok_or(AcceptError::UsedUp)?;
    let display_name = new.display_name.trim();
    let name_wrong = display_name.is_empty() || display_name.chars().count() > 100;
    let password = new_password::check(new.password, &[display_name, email.as_str()]).err();
    if name_wrong || password.is_some() || !new.accept_terms {
        return Err(AcceptError::Invalid { display_name: name_wrong, password, terms_not_accepted: !new.accept_terms });
    }
    let password_hash = state.hasher.hash(new.password.to_owned()).await?;
    let now = state.now();
    let account_id = uuid::Uuid::now_v7().to_string();
    let mut tx = state.db.begin_write().await?;
    let made = sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $3) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&account_id)
    .bind(&email)
    .bind(stored(now))
    .bind(&password_hash)
    .bind(display_name)
    .execute(&mut *tx)
    .await?;
    if made.rows_affected() != 1 {
        return Err(AcceptError::EmailHasAccount);
    }
    let registered = Event::new(Action::AccountRegistered, now).actor(&account_id).ip(Some(new.ip));
    audit::record(&mut tx, registered.detail(json!({ "via": "carer_invitation" }))).await?;
    let accepted = take(&mut tx, state, token, &account_id, &email, new.ip, now).await?;
    let session = sessions::create(&mut tx, &account_id, now, Some(new.ip), new.user_agent, sessions::Start::Password)
        .await?
        .token;
    audit::record(&mut tx, Event::new(Action::SignIn, now).actor(&account_id).ip(Some(new.ip))).await?;
    tx.commit().await?;
    Ok((accepted, session))
}

/// Uses the invitation for `account_id` (whose address is `account_email`)
/// and makes the link, within `tx`. Any refusal leaves `tx` to be dropped.
async fn take(
    tx: &mut Tx,
    state: &AppState,
    token: &OneTimeToken,
    account_id: &str,
    account_email: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<AcceptedCarerInvitation, AcceptError> {
    let row: Option<InvitationRow> = sqlx::query_as(SELECT).bind(token.hash()).fetch_optional(&mut **tx).await?;
    let Some(row) = row else { return Err(AcceptError::UsedUp) };
    let (
        invitation_id,
        record_id,
        email,
        kind,
        level,
        relationship,
        legal_basis,
        legal_note,
        organisation_id,
        ends_at,
        review_at,
        exclusion_override,
        invited_by,
        expires_at,
    ) = row;
    let now_text = stored(now);
    if expires_at <= now_text || ends_at.as_deref().is_some_and(|ends| ends <= now_text.as_str()) {
        return Err(AcceptError::UsedUp);
    }
    // Bound to the address it was sent to (SECURITY.md, bug class 14).
    if !email.eq_ignore_ascii_case(account_email) {
        return Err(AcceptError::WrongAccount);
    }
    if review_at.as_deref().is_some_and(|review| review <= now_text.as_str()) {
        return Err(AcceptError::CameOfAge);
    }
    let (owner, excluded): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT r.owner_account_id, x.record_id FROM records r LEFT JOIN exclusions x ON x.record_id = r.id \
         WHERE r.id = $1",
    )
    .bind(&record_id)
    .fetch_one(&mut **tx)
    .await?;
    if owner.as_deref() == Some(account_id) {
        return Err(AcceptError::OwnRecord);
    }
    if excluded.is_some() && exclusion_override.is_none() {
        return Err(AcceptError::Excluded);
    }
    // Used only from issued: a second acceptance at once finds it used.
    let used = sqlx::query(
        "UPDATE carer_invitations SET state = 'accepted', accepted_by = $2, decided_at = $3 \
         WHERE id = $1 AND state = 'issued'",
    )
    .bind(&invitation_id)
    .bind(account_id)
    .bind(&now_text)
    .execute(&mut **tx)
    .await?;
    if used.rows_affected() != 1 {
        return Err(AcceptError::UsedUp);
    }
    // A link whose end date passed is still open in the table: close it, so
    // the one-live-link rule leaves room for the new one.
    sqlx::query(
        "UPDATE carer_links SET ended_at = $3, ended_how = 'end_date' \
         WHERE record_id = $1 AND carer_account_id = $2 AND ended_at IS NULL AND ends_at <= $3",
    )
    .bind(&record_id)
    .bind(account_id)
    .bind(&now_text)
    .execute(&mut **tx)
    .await?;
    // A parent's link starts where the child is among the organisation's
    // bands today (they may have changed since the invitation went).
    let (mut level, mut review_at) = (level, review_at);
    let mut band_ages: (Option<i64>, Option<i64>) = (None, None);
    if kind == "parent_guardian"
        && let Some(organisation_id) = organisation_id.as_deref()
    {
        let standing = band_standing(tx, organisation_id, &record_id, now).await?.ok_or(AcceptError::CameOfAge)?;
        if let (Some(cap), Some(asked)) = (standing.cap, AccessLevel::parse(&level)) {
            level = narrower(asked, cap).as_str().to_owned();
        }
        review_at = Some(stored(standing.next_at));
        band_ages = (standing.through.map(i64::from), Some(i64::from(standing.next.age)));
    }
    let link_id = uuid::Uuid::now_v7().to_string();
    let made = sqlx::query(
        "INSERT INTO carer_links (id, record_id, carer_account_id, kind, access_level, relationship, legal_basis, \
         legal_note, organisation_id, starts_at, ends_at, review_at, granted_by, invitation_id, band_age, \
         next_band_age) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (record_id, carer_account_id) WHERE ended_at IS NULL DO NOTHING",
    )
    .bind(&link_id)
    .bind(&record_id)
    .bind(account_id)
    .bind(&kind)
    .bind(&level)
    .bind(&relationship)
    .bind(&legal_basis)
    .bind(&legal_note)
    .bind(&organisation_id)
    .bind(&now_text)
    .bind(&ends_at)
    .bind(&review_at)
    .bind(&invited_by)
    .bind(&invitation_id)
    .bind(band_ages.0)
    .bind(band_ages.1)
    .execute(&mut **tx)
    .await?;
    if made.rows_affected() != 1 {
        return Err(AcceptError::AlreadyCarer);
    }
    let granted = Event::new(Action::CarerLinkGranted, now).actor(account_id).record(&record_id).ip(Some(ip));
    let detail = json!({ "link_id": link_id, "invitation_id": invitation_id, "kind": kind, "access_level": level });
    audit::record(tx, granted.detail(detail)).await?;
    // The carer's own record of it, as their settings for carer access say.
    let given_name: String = sqlx::query_scalar("SELECT given_name FROM records WHERE id = $1")
        .bind(&record_id)
        .fetch_one(&mut **tx)
        .await?;
    send::carer_access(tx, state, account_id, &record_id, &given_name, CarerAccessChange::Granted, &link_id, now)
        .await?;
    // The patient hears of it (if they have an account): an adult carer they
    // invited (as their notification settings say), or one a professional added.
    let patient: Option<(String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.email, (SELECT c.display_name FROM accounts c WHERE c.id = $2) FROM records r \
         JOIN accounts a ON a.id = r.owner_account_id WHERE r.id = $1",
    )
    .bind(&record_id)
    .bind(account_id)
    .fetch_optional(&mut **tx)
    .await?;
    match patient {
        Some((patient_id, _, carer_name)) if invited_by == patient_id => {
            send::invitation_accepted(tx, state, &patient_id, &carer_name, &invitation_id, now).await?;
        }
        Some((_, patient_email, carer_name)) => {
            if let Ok(to) = EmailAddress::parse(&patient_email) {
                let message = emails::access_granted(&state.settings.public_base_url, &to, &carer_name);
                mail::enqueue(tx, &format!("carer-link-granted:{link_id}"), &message, None, now).await?;
            }
        }
        None => {}
    }
    Ok(AcceptedCarerInvitation { record_id, link_id })
}

/// Where a new link to the child `record_id` starts among the bands of
/// `organisation_id` at `now`; `None` once access would have ended.
async fn band_standing(
    tx: &mut Tx,
    organisation_id: &str,
    record_id: &str,
    now: OffsetDateTime,
) -> Result<Option<Standing>, AcceptError> {
    let born: String = sqlx::query_scalar("SELECT date_of_birth FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_one(&mut **tx)
        .await?;
    let Ok(born) = portico_types::DateOfBirth::from_stored(&born) else { return Ok(None) };
    Ok(settings::bands_in(tx, organisation_id).await?.standing(born.date(), now))
}

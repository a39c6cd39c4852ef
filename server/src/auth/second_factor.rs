//! The second factor: a TOTP authenticator (RFC 6238: six digits, 30-second
//! steps, HMAC-SHA-1, the form every authenticator app reads), required of
//! every professional since staff reach many records, and optional for
//! patients; with ten single-use recovery codes for a lost phone.
//!
//! A password sign-in for an account that needs one makes a session that is
//! good for nothing but this step (`sessions.second_factor`): 'verify' when an
//! authenticator is set up, 'enrol' for a professional who has none yet. The
//! step done, the session is replaced by a whole one under a new token.
//!
//! Codes are checked against Portico's clock, one step either side for a
//! phone's drift, and each step is accepted once per account (RFC 6238 5.2):
//! the update that records it only succeeds for a later step, so a code
//! replayed, or sent twice at once, signs in once. Wrong codes are throttled
//! per account like passwords, claimed before the check.

use rand::Rng as _;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Totp};

use super::sessions::{self, Session, Start, Token};
use super::throttle::{self, Claim, Key, Policy};
use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::Tx;
use crate::mail::{self, templates, templates::SecondFactorChange};
use crate::state::AppState;

/// The name authenticator apps show beside the account.
pub const ISSUER: &str = "Portico";
/// How many recovery codes a person gets: each works once.
pub const RECOVERY_CODES: usize = 10;
const STEP_SECS: u64 = 30;
const SECRET_BYTES: usize = 20;
const SEALING_PURPOSE: &str = "totp secret";
const RECOVERY_PURPOSE: &str = "recovery code";
/// Recovery codes' letters: Crockford's base 32, read aloud without doubt
/// (no i, l, o or u); ten of them carry 50 bits.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_LENGTH: usize = 10;

/// Per account: a few tries, then waits that double, never longer than 30
/// minutes, so a stolen password cannot be paired with a guessed code, and
/// a guesser cannot keep the professional out for long.
pub const PER_ACCOUNT: Policy = Policy {
    free_attempts: 5,
    first_lock: time::Duration::minutes(1),
    max_lock: time::Duration::minutes(30),
    window: time::Duration::hours(24),
};

/// What a session still needs before it is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Enter a code from the authenticator (or a recovery code).
    Verify,
    /// A professional with no authenticator: set one up first.
    Enrol,
}

impl Pending {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Enrol => "enrol",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "verify" => Some(Self::Verify),
            "enrol" => Some(Self::Enrol),
            _ => None,
        }
    }
}

/// What a new session for `account_id`, begun as `start` says, must still do.
/// Professionals always need a second factor; a patient only once they set
/// one up, and not after NHS login, which proved more than a password.
pub async fn needed(tx: &mut Tx, account_id: &str, start: Start) -> Result<Option<Pending>, sqlx::Error> {
    if start == Start::SecondFactorProven {
        return Ok(None);
    }
    let (professional, confirmed): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM professionals WHERE account_id = $1), \
                (SELECT COUNT(*) FROM second_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(account_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(match (professional > 0, confirmed > 0) {
        (true, true) => Some(Pending::Verify),
        (true, false) => Some(Pending::Enrol),
        (false, true) if start == Start::Password => Some(Pending::Verify),
        (false, _) => None,
    })
}

/// Whether the account has a confirmed authenticator.
pub async fn is_set_up(db: &crate::db::Db, account_id: &str) -> Result<bool, sqlx::Error> {
    let confirmed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM second_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL")
            .bind(account_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(confirmed > 0)
}

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    /// Not a code of either form: said about the field before anything is counted.
    #[error("not a code")]
    Malformed(&'static str),
    /// Wrong, or already used: one answer for both.
    #[error("wrong code")]
    WrongCode,
    #[error("too many attempts")]
    Throttled { retry_after_secs: u64 },
    /// An authenticator is already set up (enrolling again is not this step).
    #[error("already set up")]
    AlreadySetUp,
    /// Nothing to confirm: no enrolment begun.
    #[error("no enrolment")]
    NoEnrolment,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SecondFactorError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// A code as typed: spaces and hyphens are the person's, not the code's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    Authenticator(String),
    Recovery(String),
}

impl Code {
    pub fn parse(typed: &str) -> Result<Self, &'static str> {
        let compact: String =
            typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
        if compact.is_empty() {
            return Err("Enter the code");
        }
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Authenticator(compact));
        }
        // Crockford's reading of the look-alikes.
        let recovery: String = compact
            .chars()
            .map(|c| match c {
                'i' | 'l' => '1',
                'o' => '0',
                other => other,
            })
            .collect();
        if recovery.len() == RECOVERY_LENGTH && recovery.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return Ok(Self::Recovery(recovery));
        }
        Err("Enter the 6-digit code from your authenticator app, or a 10-character recovery code")
    }
}

/// A new authenticator's details, to show once while it is set up.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base 32, for typing into an app by hand.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

fn totp(secret: Vec<u8>, account_name: &str) -> anyhow::Result<Totp> {
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP_SECS)
        .with_skew(1)
        .with_secret(secret)
        .with_account_name(account_name.replace(':', " "))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| anyhow::anyhow!("TOTP: {e}"))
}

fn unix_secs(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0)
}

/// The current code for `secret` at `now`: for the demo's `portico demo-code`
/// and for tests, which sign in as a person with an authenticator would.
pub fn code_at(secret: &[u8], now: OffsetDateTime) -> anyhow::Result<String> {
    Ok(totp(secret.to_vec(), "code")?.generate(unix_secs(now)).to_string())
}

/// Begins (or begins again) setting up an authenticator for `account_id`:
/// a fresh secret, kept unconfirmed until a code from it proves the app has it.
pub async fn begin_enrolment(
    state: &AppState,
    account_id: &str,
    account_name: &str,
) -> Result<Enrolment, SecondFactorError> {
    if is_set_up(&state.db, account_id).await? {
        return Err(SecondFactorError::AlreadySetUp);
    }
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rng().fill(&mut secret[..]);
    let sealed = state.keys.seal(SEALING_PURPOSE, &secret)?;
    let now = stored(state.now());
    let mut tx = state.db.begin_write().await?;
    let written = sqlx::query(
        "INSERT INTO second_factors (account_id, sealed_secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at \
         WHERE second_factors.confirmed_at IS NULL",
    )
    .bind(account_id)
    .bind(&sealed)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    if written.rows_affected() == 0 {
        // Confirmed in another tab since the check above.
        tx.rollback().await?;
        return Err(SecondFactorError::AlreadySetUp);
    }
    tx.commit().await?;
    let totp = totp(secret, account_name)?;
    let otpauth_uri = totp.to_url().map_err(|e| anyhow::anyhow!("otpauth link: {e}"))?;
    let qr_svg = crate::invitations::qr_svg(&otpauth_uri).ok_or_else(|| anyhow::anyhow!("QR code"))?;
    Ok(Enrolment { secret: grouped(&totp.secret().to_base32()), otpauth_uri, qr_svg })
}

/// "ABCD EFGH …": a long secret in fours, as people copy it.
fn grouped(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Who is proving a second factor, and from where.
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    pub session: &'a Session,
    pub code: &'a str,
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
}

/// A second factor proven: the new session's token, when the session was
/// one waiting for it (a whole session keeps its own).
#[derive(Debug)]
pub struct Proven {
    pub token: Option<Token>,
    /// Set only by a confirmed enrolment: shown once, never again.
    pub recovery_codes: Vec<String>,
}

/// Confirms the enrolment begun for the session's account with a code from
/// the new authenticator, and makes its recovery codes.
pub async fn confirm_enrolment(state: &AppState, proof: Proof<'_>) -> Result<Proven, SecondFactorError> {
    let code = match Code::parse(proof.code).map_err(SecondFactorError::Malformed)? {
        Code::Authenticator(code) => code,
        Code::Recovery(_) => {
            return Err(SecondFactorError::Malformed("Enter the 6-digit code from your authenticator app"));
        }
    };
    let account_id = &proof.session.account_id;
    let now = state.now();
    let key = claim(state, account_id, now).await?;
    let unconfirmed: Option<String> =
        sqlx::query_scalar("SELECT sealed_secret FROM second_factors WHERE account_id = $1 AND confirmed_at IS NULL")
            .bind(account_id)
            .fetch_optional(&state.db.pool)
            .await?;
    let Some(sealed) = unconfirmed else {
        return Err(if is_set_up(&state.db, account_id).await? {
            SecondFactorError::AlreadySetUp
        } else {
            SecondFactorError::NoEnrolment
        });
    };
    let step = check_totp(state, &sealed, &code, now)?;
    let mut tx = state.db.begin_write().await?;
    let Some(step) = step else {
        return fail(tx, account_id, proof.ip, now).await;
    };
    let confirmed = sqlx::query(
        "UPDATE second_factors SET confirmed_at = $2, last_step = $3 WHERE account_id = $1 AND confirmed_at IS NULL",
    )
    .bind(account_id)
    .bind(stored(now))
    .bind(step)
    .execute(&mut *tx)
    .await?;
    if confirmed.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(SecondFactorError::AlreadySetUp);
    }
    let recovery_codes = replace_recovery_codes(&mut tx, state, account_id, now).await?;
    throttle::forgive_key(&mut tx, &key).await?;
    audit::record(&mut tx, Event::new(Action::SecondFactorEnrolled, now).actor(account_id).ip(Some(proof.ip))).await?;
    tell_owner(&mut tx, state, account_id, SecondFactorChange::TurnedOn, now).await?;
    let token = complete(&mut tx, proof, now).await?;
    tx.commit().await?;
    Ok(Proven { token, recovery_codes })
}

/// Proves the second factor of a session waiting for it, with a code from
/// the authenticator or an unused recovery code.
pub async fn verify(state: &AppState, proof: Proof<'_>) -> Result<Proven, SecondFactorError> {
    let code = Code::parse(proof.code).map_err(SecondFactorError::Malformed)?;
    let account_id = &proof.session.account_id;
    let now = state.now();
    let key = claim(state, account_id, now).await?;
    let sealed: Option<String> = sqlx::query_scalar(
        "SELECT sealed_secret FROM second_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let sealed = sealed.ok_or(SecondFactorError::NoEnrolment)?;
    let mut tx = state.db.begin_write().await?;
    let accepted = match &code {
        Code::Authenticator(code) => match check_totp(state, &sealed, code, now)? {
            // Only a later step than the last one accepted: each code once.
            Some(step) => sqlx::query(
                "UPDATE second_factors SET last_step = $2 WHERE account_id = $1 AND (last_step IS NULL OR last_step < $2)",
            )
            .bind(account_id)
            .bind(step)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1,
            None => false,
        },
        Code::Recovery(code) => {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(account_id)
            .bind(state.keys.code_hash(RECOVERY_PURPOSE, code))
            .bind(stored(now))
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1
        }
    };
    if !accepted {
        return fail(tx, account_id, proof.ip, now).await;
    }
    throttle::forgive_key(&mut tx, &key).await?;
    let event = match code {
        Code::Authenticator(_) => Event::new(Action::SecondFactorVerified, now),
        Code::Recovery(_) => {
            let left: i64 = sqlx::query_scalar(UNUSED_RECOVERY_CODES).bind(account_id).fetch_one(&mut *tx).await?;
            tell_owner(&mut tx, state, account_id, SecondFactorChange::RecoveryCodeUsed { left }, now).await?;
            Event::new(Action::RecoveryCodeUsed, now).detail(serde_json::json!({ "recovery_codes_left": left }))
        }
    };
    audit::record(&mut tx, event.actor(account_id).ip(Some(proof.ip))).await?;
    let token = complete(&mut tx, proof, now).await?;
    tx.commit().await?;
    Ok(Proven { token, recovery_codes: Vec::new() })
}

/// Emails the account's owner that its second factor changed: a security
/// notice, so someone who took over the account cannot do it unseen.
async fn tell_owner(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    change: SecondFactorChange,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let address: String =
        sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1").bind(account_id).fetch_one(&mut **tx).await?;
    let Ok(to) = portico_types::EmailAddress::parse(&address) else {
        tracing::warn!(account_id, "an account whose email does not parse: no second-factor notice");
        return Ok(());
    };
    let message =
        templates::second_factor_changed(&state.settings.public_base_url, &to, change, &templates::long_date_time(now));
    let about =
        mail::About { account_id: Some(account_id), kind: Some("second_factor_changed"), ..mail::About::default() };
    // Written in the change's own transaction, so it cannot be queued twice;
    // two changes in one instant (a test's clock stands still) are two notices.
    let key = format!("second-factor-changed:{account_id}:{}", uuid::Uuid::now_v7());
    mail::enqueue_about(tx, &key, &message, None, about, now).await?;
    Ok(())
}

const UNUSED_RECOVERY_CODES: &str = "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL";

/// How many of the account's recovery codes are still unused.
pub async fn recovery_codes_left(db: &crate::db::Db, account_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(UNUSED_RECOVERY_CODES).bind(account_id).fetch_one(&db.pool).await
}

/// Counts the attempt before the code is checked, so parallel guesses cannot
/// slip past the limit.
async fn claim(state: &AppState, account_id: &str, now: OffsetDateTime) -> Result<Key, SecondFactorError> {
    let key = Key::scoped("second-factor", account_id);
    let mut tx = state.db.begin_write().await?;
    let claim = throttle::claim(&mut tx, state.db.engine, &key, PER_ACCOUNT, now).await?;
    if let Claim::Refused { retry_after } = claim {
        tx.rollback().await?;
        return Err(SecondFactorError::Throttled { retry_after_secs: throttle::wait_secs(retry_after) });
    }
    tx.commit().await?;
    Ok(key)
}

fn check_totp(state: &AppState, sealed: &str, code: &str, now: OffsetDateTime) -> anyhow::Result<Option<i64>> {
    let secret =
        state.keys.open(SEALING_PURPOSE, sealed).ok_or_else(|| anyhow::anyhow!("a TOTP secret that does not open"))?;
    let step = totp(secret, "check")?.check(code, unix_secs(now));
    Ok(step.and_then(|s| i64::try_from(s).ok()))
}

/// Records a wrong or used code; its attempt stays counted.
async fn fail(mut tx: Tx, account_id: &str, ip: &str, now: OffsetDateTime) -> Result<Proven, SecondFactorError> {
    audit::record(&mut tx, Event::new(Action::SecondFactorFailed, now).actor(account_id).ip(Some(ip))).await?;
    tx.commit().await?;
    Err(SecondFactorError::WrongCode)
}

/// A session waiting for its second factor is replaced by a whole one under
/// a new token (the waiting one's cookie is worth nothing after).
async fn complete(tx: &mut Tx, proof: Proof<'_>, now: OffsetDateTime) -> Result<Option<Token>, sqlx::Error> {
    if proof.session.second_factor.is_none() {
        return Ok(None);
    }
    sessions::delete(tx, &proof.session.token_hash).await?;
    let token = sessions::create(
        tx,
        &proof.session.account_id,
        now,
        Some(proof.ip),
        proof.user_agent,
        Start::SecondFactorProven,
    )
    .await?
    .token;
    Ok(Some(token))
}

async fn replace_recovery_codes(
    tx: &mut Tx,
    state: &AppState,
    account_id: &str,
    now: OffsetDateTime,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(account_id).execute(&mut **tx).await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code = recovery_code();
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(account_id)
            .bind(state.keys.code_hash(RECOVERY_PURPOSE, &code))
            .bind(stored(now))
            .execute(&mut **tx)
            .await?;
        codes.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    Ok(codes)
}

fn recovery_code() -> String {
    let mut rng = rand::rng();
    (0..RECOVERY_LENGTH).map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..32)])).collect()
}

/// Turns a patient's second factor off (professionals cannot: theirs is
/// required). The caller has checked their password.
pub async fn remove(state: &AppState, account_id: &str, ip: &str) -> Result<bool, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let removed =
        sqlx::query("DELETE FROM second_factors WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
    if removed.rows_affected() > 0 {
        audit::record(&mut tx, Event::new(Action::SecondFactorRemoved, now).actor(account_id).ip(Some(ip))).await?;
        tell_owner(&mut tx, state, account_id, SecondFactorChange::TurnedOff, now).await?;
    }
    tx.commit().await?;
    Ok(removed.rows_affected() > 0)
}

/// What an operator's reset found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// Removed, with this many sessions ended.
    Done {
        sessions_ended: u64,
    },
    /// The account has no second factor set up: nothing changed.
    NoneSetUp,
    NoSuchAccount,
}

/// Removes the second factor (and recovery codes) of the account with
/// `email`, for a person who lost both: a professional cannot remove their
/// own, and without it cannot sign in, so the service's operators do it on
/// the command line (`portico second-factor reset`) once the person's
/// identity is checked out of band. Every session of the account ends, the
/// reset is audited with `reason` and `operator`, and the owner is emailed.
/// The next sign-in then sets up a new authenticator before anything else.
pub async fn reset_by_operator(
    state: &AppState,
    email: &portico_types::EmailAddress,
    reason: &str,
    operator: &str,
) -> Result<Reset, sqlx::Error> {
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    let account: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(account_id) = account else { return Ok(Reset::NoSuchAccount) };
    let removed =
        sqlx::query("DELETE FROM second_factors WHERE account_id = $1").bind(&account_id).execute(&mut *tx).await?;
    if removed.rows_affected() == 0 {
        return Ok(Reset::NoneSetUp);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(&account_id).execute(&mut *tx).await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(&account_id).execute(&mut *tx).await?;
    let event = Event::new(Action::SecondFactorReset, now)
        .detail(serde_json::json!({ "account_id": account_id, "reason": reason, "operator": operator }));
    audit::record(&mut tx, event).await?;
    tell_owner(&mut tx, state, &account_id, SecondFactorChange::ResetByOperator, now).await?;
    tx.commit().await?;
    Ok(Reset::Done { sessions_ended: ended.rows_affected() })
}

/// Sets up the authenticator `secret` for `account_id` as confirmed, with no
/// recovery codes: the demo's professionals share one, printed by `portico demo`.
pub async fn enrol_confirmed(
    tx: &mut Tx,
    keys: &crate::secrets::Keys,
    account_id: &str,
    secret: &[u8],
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let sealed = keys.seal(SEALING_PURPOSE, secret)?;
    sqlx::query(
        "INSERT INTO second_factors (account_id, sealed_secret, confirmed_at, created_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(sealed)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(Code::parse(" 123 456 "), Ok(Code::Authenticator("123456".into())));
        assert_eq!(Code::parse("ABCDE-FGHJK"), Ok(Code::Recovery("abcdefghjk".into())));
        // Look-alikes read as Crockford reads them.
        assert_eq!(Code::parse("o1l2i-34567"), Ok(Code::Recovery("0112134567".into())));
        assert_eq!(Code::parse(""), Err("Enter the code"));
        assert!(Code::parse("12345").is_err());
        assert!(Code::parse("1234567").is_err());
        assert!(Code::parse("abcde-fghju").is_err(), "u is not in the alphabet");
        assert!(Code::parse(&"9".repeat(10_000)).is_err());
    }

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, the last six of its eight digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, datetime!(1970-01-01 00:00:59 UTC)).unwrap(), "287082");
        assert_eq!(code_at(secret, datetime!(2005-03-18 01:58:29 UTC)).unwrap(), "081804");
        assert_eq!(code_at(secret, datetime!(2033-05-18 03:33:20 UTC)).unwrap(), "279037");
    }

    #[test]
    fn recovery_codes_are_ten_of_the_alphabet() {
        let code = recovery_code();
        assert_eq!(code.len(), RECOVERY_LENGTH);
        assert_eq!(Code::parse(&code), Ok(Code::Recovery(code.clone())));
    }

    #[test]
    fn secrets_are_grouped_in_fours() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}

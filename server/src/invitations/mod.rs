//! Invitations: a single-use, expiring code that lets the right person claim
//! one record, made for one channel. Only the code's keyed hash is stored.
//!
//! The rules live here: no invitation for an excluded or already registered
//! record; a new invitation revokes the live ones on its channel; every state
//! change (issued, sent, opened, failed attempt, locked, used, expired,
//! revoked) is audited in the transaction that makes it.

pub mod handover;
pub mod letter;
pub mod professionals;
pub mod routes;

use portico_types::api::InvitationSummary;
use portico_types::{EmailAddress, InvitationCode, MobileNumber};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::audit::{self, Action, Event};
use crate::clock::stored;
use crate::db::{Db, Tx};
use crate::mail::{self, templates};
use crate::records::exclusions::{self, Exclusion};
use crate::sms;
use crate::state::AppState;

/// The keyed-hash domain of invitation codes.
pub const CODE_PURPOSE: &str = "invitation-code";

/// The outbox kind of an email carrying a renewed code, as staff see it
/// under "Emails sent".
pub const RENEWAL_KIND: &str = "invitation_renewal";

/// How an invitation reaches the person. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Letter,
    Sms,
    Email,
    Kiosk,
    FaceToFace,
    Professional,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Self::Letter, Self::Sms, Self::Email, Self::Kiosk, Self::FaceToFace, Self::Professional];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Letter => "letter",
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Kiosk => "kiosk",
            Self::FaceToFace => "face_to_face",
            Self::Professional => "professional",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Days an invitation lasts, per channel. NIST SP 800-63A allows a posted
/// code 21 days and an emailed or texted one 7; Portico's codes are also
/// bound to the date of birth.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ExpirySettings {
    pub invitation_days_letter: i64,
    pub invitation_days_sms: i64,
    pub invitation_days_email: i64,
    pub invitation_days_kiosk: i64,
    pub invitation_days_face_to_face: i64,
    pub invitation_days_professional: i64,
}

impl Default for ExpirySettings {
    fn default() -> Self {
        Self {
            invitation_days_letter: 21,
            invitation_days_sms: 7,
            invitation_days_email: 7,
            invitation_days_kiosk: 1,
            invitation_days_face_to_face: 7,
            invitation_days_professional: 7,
        }
    }
}

impl ExpirySettings {
    pub fn lifetime(&self, channel: Channel) -> Duration {
        let days = match channel {
            Channel::Letter => self.invitation_days_letter,
            Channel::Sms => self.invitation_days_sms,
            Channel::Email => self.invitation_days_email,
            Channel::Kiosk => self.invitation_days_kiosk,
            Channel::FaceToFace => self.invitation_days_face_to_face,
            Channel::Professional => self.invitation_days_professional,
        };
        Duration::days(days.clamp(1, 90))
    }
}

/// An invitation's state. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Issued,
    Sent,
    Opened,
    Locked,
    Used,
    Expired,
    Revoked,
}

impl State {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "issued" => Self::Issued,
            "sent" => Self::Sent,
            "opened" => Self::Opened,
            "locked" => Self::Locked,
            "used" => Self::Used,
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => return None,
        })
    }
}

/// The states in which an invitation can still be used, as SQL.
pub const LIVE_STATES: &str = "('issued', 'sent', 'opened')";

/// Where an invitation is sent, when it is sent rather than handed over.
#[derive(Debug, Clone)]
pub enum SendTo {
    Email(EmailAddress),
    Mobile(MobileNumber),
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    pub record_id: &'a str,
    pub team_id: &'a str,
    pub channel: Channel,
    /// Where an email or text message goes; without it, the record's own
    /// address or number.
    pub send_to: Option<SendTo>,
    /// The only account that may claim it (a professional's own record).
    pub for_account_id: Option<&'a str>,
    pub issued_by: &'a str,
    pub ip: &'a str,
}

/// An invitation just made; the code exists in plain only here.
#[derive(Debug)]
pub struct Issued {
    pub id: String,
    pub code: InvitationCode,
    pub expires_at: OffsetDateTime,
    pub revoked: u64,
    /// Where an email or text message is going, as people write it (`07700 900982`).
    pub sent_to: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// With who set it and why, when that has been read (see `issue`).
    #[error("the record is excluded")]
    Excluded(Option<Exclusion>),
    #[error("the record is already registered")]
    AlreadyRegistered,
    #[error("no such record in that team")]
    NotFound,
    #[error("an email invitation needs an email address")]
    NoEmailAddress,
    #[error("a text message invitation needs a UK mobile number")]
    NoMobileNumber,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for IssueError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// A fresh code: 55 bits from the operating system's CSPRNG.
/// Whom an invitation is for, as its message names them: the given name and
/// the family name's initial ("Leo S."). One mobile or email is often a
/// family's, so each message says whose code it carries, and no more: no
/// date of birth (the code's other half), nothing clinical.
pub fn named_for(given_name: &str, family_name: &str) -> String {
    let given = given_name.trim();
    match family_name.trim().chars().next() {
        Some(initial) => format!("{given} {}.", initial.to_uppercase()),
        None => given.to_owned(),
    }
}

pub fn new_code() -> InvitationCode {
    InvitationCode::from_random_bits(rand::rng().next_u64())
}

/// The record's given name, its team's name, its email, its mobile, its
/// owner and its exclusion (the excluded record's id), as `issue` reads them.
type RecordToInvite = (String, String, String, Option<String>, Option<String>, Option<String>, Option<String>);

/// Issues an invitation for `request.record_id` on its channel, revoking the
/// live ones on that channel, and (for email and text message) queues the
/// message that carries it.
pub async fn issue(state: &AppState, request: IssueRequest<'_>) -> Result<Issued, IssueError> {
    // Every check inside the transaction that issues: an exclusion set, or a
    // registration finished, a moment ago cannot slip past.
    let mut tx = state.db.begin_write().await?;
    match issue_in(&mut tx, state, &request).await {
        Ok(issued) => {
            tx.commit().await?;
            Ok(issued)
        }
        Err(err) => {
            tx.rollback().await?;
            Err(explained(state, request.record_id, err).await)
        }
    }
}

/// `err` from `issue_in`, with who set an exclusion and why (for the staff
/// who may be told), read once the issuing transaction has ended.
pub async fn explained(state: &AppState, record_id: &str, err: IssueError) -> IssueError {
    match err {
        IssueError::Excluded(None) => match exclusions::of_record(&state.db, record_id).await {
            Ok(exclusion) => IssueError::Excluded(exclusion),
            Err(err) => IssueError::Internal(err.into()),
        },
        other => other,
    }
}

/// Why an invitation is issued: the email that carries it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion<'a> {
    /// Staff, a kiosk or a job invite the patient.
    Invitation,
    /// The patient asked for a new code in place of the expired invitation
    /// `replaces` (see `crate::registration::renewal`).
    Renewal { replaces: &'a str },
}

/// `issue` within a transaction the caller commits. An exclusion comes back
/// as `Excluded(None)`: `issue` reads who set it.
pub async fn issue_in(tx: &mut Tx, state: &AppState, request: &IssueRequest<'_>) -> Result<Issued, IssueError> {
    issue_for(tx, state, request, Occasion::Invitation).await
}

/// [`issue_in`], for `occasion`.
pub async fn issue_for(
    tx: &mut Tx,
    state: &AppState,
    request: &IssueRequest<'_>,
    occasion: Occasion<'_>,
) -> Result<Issued, IssueError> {
    let now = state.now();
    let renewal_of = match occasion {
        Occasion::Invitation => None,
        Occasion::Renewal { replaces } => Some(replaces),
    };
    let record: Option<RecordToInvite> = sqlx::query_as(
        "SELECT r.given_name, r.family_name, t.name, r.email, r.mobile, r.owner_account_id, x.record_id FROM records r \
         JOIN team_records tr ON tr.record_id = r.id JOIN teams t ON t.id = tr.team_id \
         LEFT JOIN exclusions x ON x.record_id = r.id WHERE r.id = $1 AND tr.team_id = $2",
    )
    .bind(request.record_id)
    .bind(request.team_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (given_name, family_name, team_name, record_email, record_mobile, owner, excluded) =
        record.ok_or(IssueError::NotFound)?;
    if excluded.is_some() {
        return Err(IssueError::Excluded(None));
    }
    if owner.is_some() {
        return Err(IssueError::AlreadyRegistered);
    }
    let send_to = match (request.channel, request.send_to.clone()) {
        (Channel::Email | Channel::Professional, Some(SendTo::Email(to))) => Some(SendTo::Email(to)),
        (Channel::Email, _) => Some(SendTo::Email(
            record_email.as_deref().and_then(|e| EmailAddress::parse(e).ok()).ok_or(IssueError::NoEmailAddress)?,
        )),
        (Channel::Sms, Some(SendTo::Mobile(to))) => Some(SendTo::Mobile(to)),
        (Channel::Sms, _) => Some(SendTo::Mobile(
            record_mobile.as_deref().and_then(|m| MobileNumber::parse(m).ok()).ok_or(IssueError::NoMobileNumber)?,
        )),
        (Channel::Professional, _) => return Err(IssueError::NoEmailAddress),
        _ => None,
    };
    let (sent_to, shown_to) = match &send_to {
        Some(SendTo::Email(to)) => (Some(to.as_str().to_owned()), Some(to.as_str().to_owned())),
        Some(SendTo::Mobile(to)) => (Some(to.e164().to_owned()), Some(to.national())),
        None => (None, None),
    };
    let expires_at = now + state.settings.invitations.lifetime(request.channel);
    let revoked = revoke_live(tx, request.record_id, Some(request.channel), Some(request.issued_by), now).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut code = new_code();
    // 55 random bits make a clash vanishingly rare; the unique hash makes one harmless.
    for _ in 0..3 {
        let inserted = sqlx::query(
            "INSERT INTO invitations (id, record_id, team_id, channel, code_hash, state, sent_to, issued_by, issued_at, \
             expires_at, updated_at, for_account_id, renewal_of) \
             VALUES ($1, $2, $3, $4, $5, 'issued', $6, $7, $8, $9, $8, $10, $11) ON CONFLICT (code_hash) DO NOTHING",
        )
        .bind(&id)
        .bind(request.record_id)
        .bind(request.team_id)
        .bind(request.channel.as_str())
        .bind(state.keys.code_hash(CODE_PURPOSE, code.as_str()))
        .bind(&sent_to)
        .bind(request.issued_by)
        .bind(stored(now))
        .bind(stored(expires_at))
        .bind(request.for_account_id)
        .bind(renewal_of)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 1 {
            break;
        }
        code = new_code();
    }
    let mut detail =
        json!({ "invitation_id": id, "channel": request.channel.as_str(), "expires_at": stored(expires_at) });
    if let Some(replaces) = renewal_of {
        detail["renewal_of"] = json!(replaces);
    }
    let event = Event::new(Action::InvitationIssued, now)
        .actor(request.issued_by)
        .record(request.record_id)
        .team(request.team_id)
        .ip(Some(request.ip))
        .detail(detail);
    audit::record(tx, event).await?;
    let expires = templates::long_date(expires_at.date());
    let base = &state.settings.public_base_url;
    let for_whom = named_for(&given_name, &family_name);
    match send_to {
        Some(SendTo::Email(to)) => {
            let key = format!("invitation:{id}");
            match (request.channel, occasion) {
                (Channel::Professional, _) => {
                    let email = templates::professional_invitation(base, &to, &given_name, &team_name, &code, &expires);
                    mail::enqueue(tx, &key, &email, Some(&id), now).await?;
                }
                (_, Occasion::Invitation) => {
                    let email = templates::invitation(base, &to, &given_name, &for_whom, &team_name, &code, &expires);
                    mail::enqueue(tx, &key, &email, Some(&id), now).await?;
                }
                (_, Occasion::Renewal { .. }) => {
                    let email =
                        templates::renewed_invitation(base, &to, &given_name, &for_whom, &team_name, &code, &expires);
                    let about = mail::About { kind: Some(RENEWAL_KIND), ..mail::About::default() };
                    mail::enqueue_about(tx, &key, &email, Some(&id), about, now).await?;
                }
            }
        }
        Some(SendTo::Mobile(to)) => {
            let which = match occasion {
                Occasion::Invitation => sms::Code::First,
                Occasion::Renewal { .. } => sms::Code::Renewed,
            };
            let text = sms::invitation(base, to, &for_whom, &team_name, &code, &expires, which);
            sms::enqueue(tx, &format!("invitation:{id}"), &text, Some(&id), now).await?;
        }
        None => {}
    }
    Ok(Issued { id, code, expires_at, revoked, sent_to: shown_to })
}

/// Revokes the live invitations of `record_id` (on `channel`, or on every
/// channel), auditing each; returns how many.
pub async fn revoke_live(
    tx: &mut Tx,
    record_id: &str,
    channel: Option<Channel>,
    by: Option<&str>,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE invitations SET state = 'revoked', updated_at = $3 WHERE record_id = $1 AND state IN {LIVE_STATES} \
         AND ($2 = '' OR channel = $2) RETURNING id"
    );
    let revoked: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .bind(channel.map_or("", Channel::as_str))
        .bind(stored(now))
        .fetch_all(&mut **tx)
        .await?;
    for id in &revoked {
        let mut event =
            Event::new(Action::InvitationRevoked, now).record(record_id).detail(json!({ "invitation_id": id }));
        event.actor_account_id = by;
        audit::record(tx, event).await?;
    }
    Ok(revoked.len() as u64)
}

/// Revokes the live invitations of many records on `channel` (a campaign's
/// chunk), auditing each; returns how many.
pub async fn revoke_live_of_many(
    tx: &mut Tx,
    engine: crate::db::Engine,
    record_ids: &[&str],
    channel: Channel,
    by: &str,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let mut revoked: Vec<(String, String)> = Vec::new();
    for slice in record_ids.chunks(500) {
        let mut sql =
            crate::db::Statement::for_engine(engine, "UPDATE invitations SET state = 'revoked', updated_at = ");
        sql.bind(stored(now)).push(" WHERE channel = ").bind(channel.as_str());
        sql.push(" AND state IN ").push(LIVE_STATES).push(" AND record_id IN ");
        sql.bind_list(slice.iter().copied()).push(" RETURNING id, record_id");
        revoked.extend(sql.query_as::<(String, String)>()?.fetch_all(&mut **tx).await?);
    }
    let events: Vec<Event<'_>> = revoked
        .iter()
        .map(|(id, record_id)| {
            Event::new(Action::InvitationRevoked, now)
                .actor(by)
                .record(record_id)
                .detail(json!({ "invitation_id": id }))
        })
        .collect();
    audit::record_many(tx, engine, &events).await?;
    Ok(revoked.len() as u64)
}

/// Revokes one invitation if it is still live, auditing it.
pub async fn revoke_one(
    tx: &mut Tx,
    invitation_id: &str,
    by: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE invitations SET state = 'revoked', updated_at = $2 WHERE id = $1 AND state IN {LIVE_STATES} RETURNING record_id"
    );
    let record_id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(invitation_id)
        .bind(stored(now))
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(record_id) = &record_id {
        let mut event = Event::new(Action::InvitationRevoked, now)
            .record(record_id)
            .detail(json!({ "invitation_id": invitation_id }));
        event.actor_account_id = by;
        audit::record(tx, event).await?;
    }
    Ok(record_id.is_some())
}

/// Where a record stands, for staff: `registered`, or else what its newest
/// invitation says (`invited`, `invitation_locked`, `invitation_expired`),
/// or `not_invited`; with that invitation (never its code).
pub async fn registration_of(
    db: &Db,
    record_id: &str,
) -> Result<(&'static str, Option<InvitationSummary>), sqlx::Error> {
    let owner: Option<Option<String>> = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_optional(&db.pool)
        .await?;
    // Channel, state, issued, expires, issued by, and the invitation it renewed.
    type Newest = (String, String, String, String, Option<String>, Option<String>);
    let newest: Option<Newest> = sqlx::query_as(
        "SELECT i.channel, i.state, i.issued_at, i.expires_at, a.display_name, i.renewal_of FROM invitations i \
         LEFT JOIN accounts a ON a.id = i.issued_by WHERE i.record_id = $1 AND i.state <> 'revoked' \
         ORDER BY i.issued_at DESC, i.id DESC LIMIT 1",
    )
    .bind(record_id)
    .fetch_optional(&db.pool)
    .await?;
    let summary = newest.map(|(channel, state, issued_at, expires_at, issued_by, renewal_of)| InvitationSummary {
        channel,
        state,
        issued_at,
        expires_at,
        issued_by,
        renewed: renewal_of.is_some(),
    });
    let state = if owner.flatten().is_some() {
        "registered"
    } else {
        match summary.as_ref().and_then(|s| State::parse(&s.state)) {
            Some(State::Issued | State::Sent | State::Opened) => "invited",
            Some(State::Locked) => "invitation_locked",
            Some(State::Expired) => "invitation_expired",
            _ => "not_invited",
        }
    };
    Ok((state, summary))
}

/// The registration link as a QR code: an SVG to show on screen or print.
pub fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(176, 176).quiet_zone(true).build();
    // Without its XML declaration, so it can sit inside an HTML page.
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

/// Marks an invitation sent once the email or text message carrying it has gone.
pub async fn mark_sent(tx: &mut Tx, invitation_id: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let record_id: Option<String> = sqlx::query_scalar(
        "UPDATE invitations SET state = 'sent', updated_at = $2 WHERE id = $1 AND state = 'issued' RETURNING record_id",
    )
    .bind(invitation_id)
    .bind(stored(now))
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(record_id) = record_id {
        let event = Event::new(Action::InvitationSent, now)
            .record(&record_id)
            .detail(json!({ "invitation_id": invitation_id }));
        audit::record(tx, event).await?;
    }
    Ok(())
}

/// Marks live invitations past their expiry as expired, auditing each.
pub async fn expire_due(db: &Db, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "UPDATE invitations SET state = 'expired', updated_at = $1 WHERE state IN {LIVE_STATES} AND expires_at <= $1 \
         RETURNING id, record_id"
    );
    let expired: Vec<(String, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(stored(now)).fetch_all(&mut *tx).await?;
    for (id, record_id) in &expired {
        let event = Event::new(Action::InvitationExpired, now).record(record_id).detail(json!({ "invitation_id": id }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(expired.len() as u64)
}

/// Expires invitations every few minutes.
pub async fn expire_every_few_minutes(db: Db, clock: std::sync::Arc<dyn crate::clock::Clock>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        if let Err(err) = expire_due(&db, clock.now()).await {
            tracing::warn!(error = %err, "could not expire invitations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_person_by_given_name_and_initial() {
        assert_eq!(named_for("Leo", "Smith"), "Leo S.");
        assert_eq!(named_for(" Ada ", " lovelace"), "Ada L.");
        assert_eq!(named_for("Zoë", "Ørsted"), "Zoë Ø.");
        assert_eq!(named_for("Cher", ""), "Cher");
    }

    #[test]
    fn the_qr_code_is_an_svg_for_a_page() {
        let svg = qr_svg("https://portico.example/register?code=7KQM-2XRD-93TB").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn channels_and_states_read_back() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(State::parse("locked"), Some(State::Locked));
        assert_eq!(State::parse("nonsense"), None);
    }

    #[test]
    fn letters_last_longer_than_texts_and_every_lifetime_is_bounded() {
        let settings = ExpirySettings::default();
        assert!(settings.lifetime(Channel::Letter) > settings.lifetime(Channel::Sms));
        let silly = ExpirySettings { invitation_days_email: 10_000, invitation_days_sms: -3, ..settings };
        assert_eq!(silly.lifetime(Channel::Email), Duration::days(90));
        assert_eq!(silly.lifetime(Channel::Sms), Duration::days(1));
    }
}

//! Text messages: written to the outbox (the same one as email) in the
//! transaction of what caused them, and sent by the outbox worker through
//! GOV.UK Notify, or into the development outbox when Notify is not set up.
//!
//! A Notify template holds the words that are sent, with `((placeholders))`
//! filled from the personalisation stored with each message; `body` is
//! Portico's own rendering of the same words, for the development outbox and
//! the audit trail of what a patient was told. The README gives the template
//! text to create in Notify.

use std::collections::BTreeMap;

use portico_types::{InvitationCode, MobileNumber};
use time::OffsetDateTime;
use url::Url;

use crate::clock::stored;
use crate::db::Tx;
use crate::mail::templates::{link, registration_link};

/// A text message to send. Never clinical detail: a phone's lock screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub to: MobileNumber,
    pub body: String,
    pub personalisation: BTreeMap<String, String>,
}

/// The invitation by text message. Notify template:
///
/// ```text
/// For ((name)): ((team)) invites you to see your health record online.
/// Register at ((link)) or go to ((register_address)) and enter code ((code)).
/// You will need your date of birth. The code expires on ((expires)).
/// ((replaces??This code replaces your expired one.))
/// ```
///
/// `for_whom` names the person the code is for (`invitations::named_for`):
/// a family often shares one mobile. [`Code::Renewed`] is a new code the
/// patient asked for in place of an expired one: `replaces` is Notify's
/// optional content, shown when it is "yes". Notify ignores a placeholder
/// its template lacks, so a template made before `replaces` still works.
pub fn invitation(
    base: &Url,
    to: MobileNumber,
    for_whom: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
    which: Code,
) -> Sms {
    let personalisation: BTreeMap<String, String> = [
        ("name", for_whom.to_owned()),
        ("team", team.to_owned()),
        ("link", registration_link(base, code)),
        ("register_address", link(base, "register", None)),
        ("code", code.grouped()),
        ("expires", expires.to_owned()),
        ("replaces", if which == Code::Renewed { "yes" } else { "no" }.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut body = format!(
        "For {for_whom}: {team} invites you to see your health record online. Register at {link} \
         or go to {start} and enter code {code}. You will need your date of birth. The code expires on {expires}.",
        link = personalisation["link"],
        start = personalisation["register_address"],
        code = personalisation["code"],
    );
    if which == Code::Renewed {
        body.push_str("\nThis code replaces your expired one.");
    }
    Sms { to, body, personalisation }
}

/// Whether a text's code is a first one or one renewed in place of an expired code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    First,
    Renewed,
}

/// Queues `sms` within `tx` under `idempotency_key`; returns whether it was
/// new (false: a message with that key was already queued, and this one is not).
pub async fn enqueue(
    tx: &mut Tx,
    idempotency_key: &str,
    sms: &Sms,
    invitation_id: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let personalisation = serde_json::to_string(&sms.personalisation).unwrap_or_else(|_| "{}".into());
    let done = sqlx::query(
        "INSERT INTO outbox (id, idempotency_key, channel, to_address, subject, body_text, personalisation, invitation_id, \
         created_at, next_attempt_at) VALUES ($1, $2, 'sms', $3, '', $4, $5, $6, $7, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(idempotency_key)
    .bind(sms.to.e164())
    .bind(&sms.body)
    .bind(personalisation)
    .bind(invitation_id)
    .bind(stored(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_text_carries_the_code_and_link_and_nothing_clinical() {
        let base = Url::parse("https://portico.example/").unwrap();
        let code = InvitationCode::from_random_bits(0x7AB1_2C3D_4E5F);
        let to = MobileNumber::parse("07700 900982").unwrap();
        let sms = invitation(&base, to.clone(), "Leo S.", "Diabetes clinic", &code, "4 December 2026", Code::First);
        assert!(sms.body.starts_with("For Leo S.: Diabetes clinic invites you"), "{}", sms.body);
        assert!(sms.body.contains(&code.grouped()), "{}", sms.body);
        assert!(sms.body.contains("https://portico.example/register?code="), "{}", sms.body);
        assert_eq!(sms.personalisation["team"], "Diabetes clinic");
        assert_eq!(sms.personalisation["name"], "Leo S.");
        // Two text messages at most: 306 characters, with a long name too.
        let long =
            invitation(&base, to, "Maximiliana-Josephine W.", "Diabetes clinic", &code, "4 December 2026", Code::First);
        assert!(long.body.chars().count() <= 306, "{} chars", long.body.chars().count());
        assert!(sms.body.chars().count() <= 306, "{} chars", sms.body.chars().count());
        assert_eq!(sms.personalisation["replaces"], "no");
        assert!(!sms.body.contains("replaces"), "{}", sms.body);
    }

    #[test]
    fn a_renewed_code_says_it_replaces_the_expired_one() {
        let base = Url::parse("https://portico.example/").unwrap();
        let code = InvitationCode::from_random_bits(0x7AB1_2C3D_4E5F);
        let to = MobileNumber::parse("07700 900982").unwrap();
        let sms = invitation(&base, to, "Leo S.", "Diabetes clinic", &code, "4 December 2026", Code::Renewed);
        assert_eq!(sms.personalisation["replaces"], "yes");
        assert!(sms.body.ends_with("The code expires on 4 December 2026.\nThis code replaces your expired one."));
        // Asked for by the patient, so rare: three text messages at most.
        assert!(sms.body.chars().count() <= 459, "{} chars", sms.body.chars().count());
    }
}

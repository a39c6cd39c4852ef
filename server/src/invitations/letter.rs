//! The one-page registration letter, as printed at the desk (and, in
//! batches, for campaigns): the record's name and postal address for a
//! window envelope, the code in groups, the link as a QR code, and the steps.

use portico_letters::{Letter, Sender};
use portico_types::InvitationCode;
use time::Date;
use url::Url;

use super::Issued;
use crate::mail::templates::{self, registration_link};
use crate::state::AppState;

/// The organisation and team a letter comes from, with its return address.
pub async fn sender(state: &AppState, team_id: &str) -> anyhow::Result<Sender> {
    let (team, organisation): (String, String) = sqlx::query_as(
        "SELECT t.name, o.name FROM teams t JOIN organisations o ON o.id = t.organisation_id WHERE t.id = $1",
    )
    .bind(team_id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(Sender { organisation, team, return_address_lines: Vec::new(), phone: None })
}

/// What a letter to record `record_id` says, for a code issued just now.
pub struct LetterFor<'a> {
    pub record_id: &'a str,
    pub code: &'a InvitationCode,
    pub expires: Date,
    pub today: Date,
}

/// Who a letter goes to, as the record has it.
pub struct Addressee {
    pub given_name: String,
    pub family_name: String,
    /// Lines separated by newlines, as stored.
    pub address_lines: Option<String>,
    pub postcode: Option<String>,
}

/// The letter's words for one record.
pub async fn letter(state: &AppState, what: LetterFor<'_>) -> anyhow::Result<Letter> {
    let (given_name, family_name, address_lines, postcode): (String, String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT given_name, family_name, address_lines, postcode FROM records WHERE id = $1")
            .bind(what.record_id)
            .fetch_one(&state.db.pool)
            .await?;
    let to = Addressee { given_name, family_name, address_lines, postcode };
    Ok(letter_to(&state.settings.public_base_url, to, what.code, what.expires, what.today))
}

/// The letter's words for `to`, with `code`.
pub fn letter_to(base: &Url, to: Addressee, code: &InvitationCode, expires: Date, today: Date) -> Letter {
    Letter {
        reference: reference(code),
        date: templates::long_date(today),
        recipient_name: format!("{} {}", to.given_name, to.family_name),
        address_lines: to
            .address_lines
            .map(|a| a.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        postcode: to.postcode,
        given_name: to.given_name,
        code_grouped: code.grouped(),
        link: registration_link(base, code),
        register_address: register_address(base),
        expires: templates::long_date(expires),
    }
}

/// The letter for an invitation just issued, as a PDF.
pub async fn render_for(state: &AppState, record_id: &str, team_id: &str, issued: &Issued) -> anyhow::Result<Vec<u8>> {
    let sender = sender(state, team_id).await?;
    let what =
        LetterFor { record_id, code: &issued.code, expires: issued.expires_at.date(), today: state.now().date() };
    let letter = letter(state, what).await?;
    Ok(portico_letters::render_one(&sender, &letter)?)
}

/// A reference for the letter that a print or mail house, or the patient on
/// the phone, can quote back: a digest of the code, which gives nothing of
/// the code away.
pub fn reference(code: &InvitationCode) -> String {
    use sha2::{Digest as _, Sha256};
    let digest = hex::encode(Sha256::digest(code.as_str().as_bytes()));
    format!("PTC-{}", digest[..8].to_uppercase())
}

/// The registration address as people type it: no scheme, no trailing slash.
fn register_address(base: &Url) -> String {
    let full = base.join("register").map_or_else(|_| base.to_string(), |u| u.to_string());
    full.trim_start_matches("https://").trim_start_matches("http://").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_does_not_give_the_code_away_and_is_stable() {
        let code = InvitationCode::from_random_bits(0x7AB1_2C3D_4E5F);
        let reference = reference(&code);
        assert_eq!(reference, super::reference(&code));
        assert!(reference.starts_with("PTC-") && reference.len() == 12, "{reference}");
        assert!(!reference.contains(&code.as_str()[..4]));
    }

    #[test]
    fn the_address_to_type_has_no_scheme() {
        let base = Url::parse("https://portico.example/").unwrap();
        assert_eq!(register_address(&base), "portico.example/register");
    }
}

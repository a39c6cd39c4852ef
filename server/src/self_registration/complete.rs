//! The end of a join page's registration: once the account exists (made by
//! `registration::complete`, in its transaction), the details the patient
//! typed become a sign-up in the team's queue.

use anyhow::Context as _;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber};
use time::OffsetDateTime;

use super::page::{self, Admission};
use super::{HeldBecause, HeldSignUp, HoldError, Source, hold};
use crate::db::Tx;

type DetailsRow = (String, String, String, String, Option<String>, Option<String>, Option<String>);

/// Holds registration `registration_id`'s sign-up for new account
/// `account_id`, within `tx`; returns the team's name, for the email.
pub async fn hold_registered(
    tx: &mut Tx,
    registration_id: &str,
    account_id: &str,
    now: OffsetDateTime,
) -> Result<String, HoldError> {
    let row: Option<DetailsRow> = sqlx::query_as(
        "SELECT join_team_id, given_name, family_name, date_of_birth, nhs_number, email, mobile \
         FROM registrations WHERE id = $1 AND join_team_id IS NOT NULL",
    )
    .bind(registration_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (team_id, given_name, family_name, dob, nhs, email, mobile) =
        row.context("the registration is not a sign-up")?;
    let page = page::of_team(tx, &team_id).await?.context("the sign-up's team is gone")?;
    // A password proves an email address, never who someone is.
    let held_because = match page.admission {
        Admission::ReviewAll => HeldBecause::TeamReviewsAll,
        Admission::AdmitProven => HeldBecause::IdentityNotProven,
    };
    let sign_up = HeldSignUp {
        team_id,
        account_id: account_id.to_owned(),
        source: Source::Password,
        given_name,
        family_name,
        date_of_birth: DateOfBirth::from_stored(&dob).context("stored date of birth")?,
        nhs_number: nhs.as_deref().map(NhsNumber::parse).transpose().context("stored NHS number")?,
        email: EmailAddress::parse(email.as_deref().unwrap_or_default()).context("stored email")?,
        mobile: mobile.as_deref().map(MobileNumber::parse).transpose().context("stored mobile")?,
        held_because,
    };
    hold(tx, &sign_up, now).await?;
    Ok(page.team_name)
}

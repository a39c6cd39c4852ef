//! Every email Portico sends, by what it is for: each function gives the
//! values its template (in `server/templates/email`, see `render`) needs.
//! Plain language, and never clinical detail: an email can be read by
//! whoever sees the inbox. Links are built from the configured public
//! address, never from a request's Host header.

use minijinja::{Value, context};
use portico_types::{EmailAddress, InvitationCode};
use url::Url;

use super::Email;
use super::render::render;

pub(crate) fn link(base: &Url, path: &str, query: Option<(&str, &str)>) -> String {
    let mut url = base.join(path).unwrap_or_else(|_| base.clone());
    if let Some((key, value)) = query {
        url.query_pairs_mut().append_pair(key, value);
    }
    url.to_string()
}

/// The links at the foot of a notification a person may turn off: their
/// settings page, a page that turns this kind off, and the RFC 8058
/// one-click address for the `List-Unsubscribe` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub settings_link: String,
    pub unsubscribe_page: String,
    pub one_click: String,
}

/// Renders `name` for `to`. A template that will not render is a bug the
/// test of every template catches; should one ship all the same, the person
/// still gets a plain note to sign in (never an email with a hole in it, and
/// never a failed sign-up or password change), and the error is logged.
fn compose(to: &EmailAddress, name: &str, values: Value) -> Email {
    match render(name, values) {
        Ok(rendered) => Email {
            to: to.clone(),
            to_name: None,
            subject: rendered.subject.to_string(),
            body: rendered.text,
            html: Some(rendered.html),
            list_unsubscribe: None,
        },
        Err(err) => {
            tracing::error!(error = %err, "email template did not render: sending a plain note instead");
            Email::plain(
                to,
                "A message from Portico",
                "There is news about your Portico account. Sign in to Portico to see it.\n\n\
                 Portico\n\nThis is an automated email: replies are not read."
                    .to_owned(),
            )
        }
    }
}

/// [`compose`] for a notification that can be turned off: with its footer
/// and `List-Unsubscribe`.
fn compose_with_footer(to: &EmailAddress, name: &str, values: Value, footer: &Footer) -> Email {
    let values = context! {
        settings_link => &footer.settings_link, unsubscribe_link => &footer.unsubscribe_page, ..values
    };
    Email { list_unsubscribe: Some(footer.one_click.clone()), ..compose(to, name, values) }
}

/// The registration link for a code: what the QR code on a letter holds.
pub fn registration_link(base: &Url, code: &InvitationCode) -> String {
    link(base, "register", Some(("code", &code.grouped())))
}

fn sign_in(base: &Url) -> String {
    link(base, "sign-in", None)
}

fn forgotten_password(base: &Url) -> String {
    link(base, "forgotten-password", None)
}

/// `for_whom` names the person the code is for (see
/// `invitations::named_for`): one address is often a family's.
pub fn invitation(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    for_whom: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
) -> Email {
    invitation_email(base, to, given_name, for_whom, team, code, expires, false)
}

/// The invitation again, with a new code the patient asked for because
/// their last one had expired: it says that this code replaces it.
pub fn renewed_invitation(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    for_whom: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
) -> Email {
    invitation_email(base, to, given_name, for_whom, team, code, expires, true)
}

#[allow(clippy::too_many_arguments)] // the invitation's words, each named
fn invitation_email(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    for_whom: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
    replaces_expired: bool,
) -> Email {
    compose(
        to,
        "invitation",
        context! {
            given_name, for_whom, team, expires, replaces_expired,
            link => registration_link(base, code),
            start => link(base, "register", None),
            code => code.grouped(),
        },
    )
}

/// To a professional who has a record of their own in one of their
/// organisation's teams. They register into the account they already have.
pub fn professional_invitation(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
) -> Email {
    compose(
        to,
        "professional_invitation",
        context! { given_name, team, expires, link => registration_link(base, code), code => code.grouped() },
    )
}

pub fn confirm_registration_email(base: &Url, to: &EmailAddress, token: &str, code: &str) -> Email {
    let (first, second) = code.split_at(code.len().min(3));
    compose(
        to,
        "confirm_registration_email",
        context! {
            link => link(base, "register/confirm-email", Some(("token", token))),
            code => format!("{first} {second}"),
        },
    )
}

/// Sent instead of a confirmation when the address already has an account:
/// the page cannot say so without telling anyone which addresses have accounts.
pub fn already_registered(base: &Url, to: &EmailAddress) -> Email {
    compose(
        to,
        "already_registered",
        context! { sign_in_link => sign_in(base), reset_link => forgotten_password(base) },
    )
}

pub fn registered(base: &Url, to: &EmailAddress, given_name: &str) -> Email {
    compose(to, "registered", context! { given_name, sign_in_link => sign_in(base) })
}

/// The account from a join page exists and waits in the team's queue.
pub fn sign_up_waiting(base: &Url, to: &EmailAddress, given_name: &str, team_name: &str) -> Email {
    compose(to, "sign_up_waiting", context! { given_name, team => team_name, sign_in_link => sign_in(base) })
}

/// Staff linked the sign-up to a record, or made one for it.
pub fn sign_up_accepted(base: &Url, to: &EmailAddress, given_name: &str, team_name: &str, footer: &Footer) -> Email {
    let values = context! { given_name, team => team_name, sign_in_link => sign_in(base) };
    compose_with_footer(to, "sign_up_accepted", values, footer)
}

/// Staff declined the sign-up; `reason` is the team's own words to the patient.
pub fn sign_up_declined(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    team_name: &str,
    reason: &str,
    footer: &Footer,
) -> Email {
    let values = context! { given_name, reason, team => team_name, sign_in_link => sign_in(base) };
    compose_with_footer(to, "sign_up_declined", values, footer)
}

/// To a team's reviewers: no name, no NHS number, no reason, only that a
/// sign-up waits, and where.
pub fn sign_up_held_for_review(base: &Url, to: &EmailAddress, team: &str, record_id: &str) -> Email {
    let link = base.join(&format!("staff/records/{record_id}")).map(|u| u.to_string()).unwrap_or_default();
    compose(to, "sign_up_held_for_review", context! { team, link })
}

pub fn password_reset(base: &Url, to: &EmailAddress, token: &str) -> Email {
    compose(to, "password_reset", context! { link => link(base, "reset-password", Some(("token", token))) })
}

/// Sent when a reset is asked for an address with no account, so the answer
/// on the page can be the same either way.
pub fn password_reset_no_account(base: &Url, to: &EmailAddress) -> Email {
    compose(to, "password_reset_no_account", context! { forgotten_link => forgotten_password(base) })
}

pub fn password_changed(base: &Url, to: &EmailAddress) -> Email {
    compose(to, "password_changed", context! { forgotten_link => forgotten_password(base) })
}

pub fn confirm_new_email(base: &Url, to: &EmailAddress, token: &str) -> Email {
    compose(to, "confirm_new_email", context! { link => link(base, "account/confirm-email", Some(("token", token))) })
}

/// Sent to a new address that another account already uses.
pub fn new_email_taken(base: &Url, to: &EmailAddress) -> Email {
    compose(to, "new_email_taken", context! { sign_in_link => sign_in(base) })
}

pub fn email_change_requested(to: &EmailAddress) -> Email {
    compose(to, "email_change_requested", context! {})
}

/// To the old address, once the change is made.
pub fn email_changed(to: &EmailAddress, new_email: &EmailAddress) -> Email {
    compose(to, "email_changed", context! { new_email => mask(new_email) })
}

/// To the new address, once the change is made.
pub fn email_changed_new(base: &Url, to: &EmailAddress) -> Email {
    compose(
        to,
        "email_changed_new",
        context! { sign_in_link => sign_in(base), forgotten_link => forgotten_password(base) },
    )
}

/// A sign-in from a device the account has not used before; `when` as
/// [`long_date_time`] writes it.
pub fn new_device_sign_in(base: &Url, to: &EmailAddress, when: &str) -> Email {
    compose(to, "new_device_sign_in", context! { when, forgotten_link => forgotten_password(base) })
}

/// A change to how the account signs in with a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorChange {
    TurnedOn,
    TurnedOff,
    /// A recovery code was used; this many are left.
    RecoveryCodeUsed {
        left: i64,
    },
    /// Removed by the service's operators (the authenticator and its
    /// recovery codes were lost): the next sign-in sets a new one up.
    ResetByOperator,
}

/// A security notice, which cannot be turned off: two-step sign-in set up or
/// turned off, or a recovery code used. `when` as [`long_date_time`] writes it.
pub fn second_factor_changed(base: &Url, to: &EmailAddress, change: SecondFactorChange, when: &str) -> Email {
    let (change, left) = match change {
        SecondFactorChange::TurnedOn => ("on", 0),
        SecondFactorChange::TurnedOff => ("off", 0),
        SecondFactorChange::RecoveryCodeUsed { left } => ("recovery_code_used", left),
        SecondFactorChange::ResetByOperator => ("reset", 0),
    };
    compose(to, "second_factor_changed", context! { change, left, when, forgotten_link => forgotten_password(base) })
}

/// New entries on the person's own record, or (`for_carer`) on one they look
/// after. Never what the entries are.
pub fn new_entries(base: &Url, to: &EmailAddress, given_name: &str, for_carer: bool, footer: &Footer) -> Email {
    compose_with_footer(to, "new_entries", context! { given_name, for_carer, sign_in_link => sign_in(base) }, footer)
}

/// Someone the person invited (a carer) has accepted.
pub fn invitation_accepted(base: &Url, to: &EmailAddress, given_name: &str, invitee: &str, footer: &Footer) -> Email {
    compose_with_footer(
        to,
        "invitation_accepted",
        context! { given_name, invitee, sign_in_link => sign_in(base) },
        footer,
    )
}

/// What happened to a carer's access to someone's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarerAccessChange {
    Granted,
    Changed,
    Ended,
}

impl CarerAccessChange {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Changed => "changed",
            Self::Ended => "ended",
        }
    }
}

/// To a carer: their access to `patient`'s record was granted, changed or ended.
pub fn carer_access(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    patient: &str,
    change: CarerAccessChange,
    footer: &Footer,
) -> Email {
    compose_with_footer(
        to,
        "carer_access",
        context! { given_name, patient, change => change.as_str(), sign_in_link => sign_in(base) },
        footer,
    )
}

/// A parent's or guardian's notice about an age band: `Warning` that their
/// access changes on `on` (three months ahead), or that a professional
/// `Extended` it as it is until `on`. `becomes`: `not_private`, `review` or `end`.
#[allow(clippy::too_many_arguments)] // every value names a different thing the email says
pub fn carer_band(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    patient: &str,
    notice: CarerBandNotice,
    becomes: &str,
    on: time::Date,
    footer: &Footer,
) -> Email {
    let notice = match notice {
        CarerBandNotice::Warning => "warning",
        CarerBandNotice::Extended => "extended",
    };
    compose_with_footer(
        to,
        "carer_band",
        context! { given_name, patient, notice, becomes, on => long_date(on), sign_in_link => sign_in(base) },
        footer,
    )
}

/// Which notice [`carer_band`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarerBandNotice {
    Warning,
    Extended,
}

/// The daily digest: one line per kind of thing that happened.
/// To a carer invited by the patient (`organisation` none) or added by a
/// professional of `organisation`: the single-use link to accept.
pub fn carer_invited(
    base: &Url,
    to: &EmailAddress,
    patient: &str,
    organisation: Option<&str>,
    token: &str,
    expires: time::Date,
) -> Email {
    compose(
        to,
        "carer_invited",
        context! {
            patient, organisation, by_professional => organisation.is_some(),
            link => link(base, "carers/accept", Some(("token", token))),
            expires => long_date(expires),
        },
    )
}

/// To the patient: `carer` can now see their record.
pub fn carer_added(base: &Url, to: &EmailAddress, carer: &str) -> Email {
    compose(to, "carer_added", context! { carer, carers_link => link(base, "carers", None) })
}

pub fn digest(base: &Url, to: &EmailAddress, given_name: &str, lines: Vec<String>, footer: &Footer) -> Email {
    compose_with_footer(to, "digest", context! { given_name, lines, sign_in_link => sign_in(base) }, footer)
}

/// "1 January 2027", as NHS.UK writes dates.
pub fn long_date(date: time::Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// "1 January 2027 at 9:05am (UTC)", as NHS.UK writes times.
pub fn long_date_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let (hour, half) = match at.hour() {
        0 => (12, "am"),
        h @ 1..=11 => (h, "am"),
        12 => (12, "pm"),
        h => (h - 12, "pm"),
    };
    format!("{} at {hour}:{:02}{half} (UTC)", long_date(at.date()), at.minute())
}

/// `j***@example.com`: enough for the owner to recognise, little for anyone else.
fn mask(email: &EmailAddress) -> String {
    let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

#[cfg(test)]
mod tests;

//! The words of every email Portico sends. Plain text, plain language, and
//! never clinical detail: an email can be read by whoever sees the inbox.
//! Links are built from the configured public address, never from a
//! request's Host header.

use portico_types::{EmailAddress, InvitationCode};
use url::Url;

use super::Email;

const SIGN_OFF: &str = "\n\nPortico\n\nThis is an automated email: replies are not read.";

pub(crate) fn link(base: &Url, path: &str, query: Option<(&str, &str)>) -> String {
    let mut url = base.join(path).unwrap_or_else(|_| base.clone());
    if let Some((key, value)) = query {
        url.query_pairs_mut().append_pair(key, value);
    }
    url.to_string()
}

pub(crate) fn email(to: &EmailAddress, subject: &str, body: String) -> Email {
    Email { to: to.clone(), subject: subject.to_owned(), body: format!("{body}{SIGN_OFF}") }
}

/// The registration link for a code: what the QR code on a letter holds.
pub fn registration_link(base: &Url, code: &InvitationCode) -> String {
    link(base, "register", Some(("code", &code.grouped())))
}

pub fn invitation(
    base: &Url,
    to: &EmailAddress,
    given_name: &str,
    team: &str,
    code: &InvitationCode,
    expires: &str,
) -> Email {
    email(
        to,
        "Your invitation to see your health record online",
        format!(
            "Dear {given_name},\n\n\
             {team} invites you to register for Portico, to see your letters, test results and appointments online.\n\n\
             To register, go to:\n{link}\n\n\
             Or go to {start} and enter this registration code:\n\n    {grouped}\n\n\
             You will need your date of birth. The code works once and expires on {expires}.\n\n\
             If you were not expecting this email, you can ignore it.",
            link = registration_link(base, code),
            start = link(base, "register", None),
            grouped = code.grouped(),
        ),
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
    email(
        to,
        "You can see your own health record in Portico",
        format!(
            "Dear {given_name},\n\n\
             {team} holds a health record for you as a patient. You can see it with the Portico account you \
             already use at work: one account, and you switch between your record and your staff pages.\n\n\
             To add your record to your account, go to:\n{link}\n\n\
             You will need your date of birth and your Portico password. The code in the link is {grouped}; it \
             works once and expires on {expires}.\n\n\
             Your colleagues see no more of your record than of any patient's, and whether you register is up to you.",
            link = registration_link(base, code),
            grouped = code.grouped(),
        ),
    )
}

pub fn confirm_registration_email(base: &Url, to: &EmailAddress, token: &str, code: &str) -> Email {
    email(
        to,
        "Confirm your email address for Portico",
        format!(
            "To confirm this is your email address, open this link:\n{}\n\n\
             Or enter this code on the page where you are registering:\n\n    {} {}\n\n\
             The link and the code work once and expire in 1 hour.\n\n\
             If you did not ask to register for Portico, you can ignore this email.",
            link(base, "register/confirm-email", Some(("token", token))),
            &code[..3],
            &code[3..],
        ),
    )
}

/// Sent instead of a confirmation when the address already has an account:
/// the page cannot say so without telling anyone which addresses have accounts.
pub fn already_registered(base: &Url, to: &EmailAddress) -> Email {
    email(
        to,
        "You already have a Portico account",
        format!(
            "Someone, probably you, tried to register for Portico with this email address. \
             There is already a Portico account that uses it.\n\n\
             To sign in, go to:\n{}\n\n\
             If you have forgotten your password, you can reset it:\n{}\n\n\
             To register a different health record, go back and use a different email address.",
            link(base, "sign-in", None),
            link(base, "forgotten-password", None),
        ),
    )
}

pub fn registered(base: &Url, to: &EmailAddress, given_name: &str) -> Email {
    email(
        to,
        "You have registered for Portico",
        format!(
            "Dear {given_name},\n\n\
             You have registered for Portico. You can now see your health record online:\n{}\n\n\
             If this was not you, contact the clinical team that invited you straight away.",
            link(base, "sign-in", None),
        ),
    )
}

/// The account from a join page exists and waits in the team's queue.
pub fn sign_up_waiting(base: &Url, to: &EmailAddress, given_name: &str, team_name: &str) -> Email {
    email(
        to,
        "You have asked to join your clinical team on Portico",
        format!(
            "Dear {given_name},\n\n\
             Your Portico account is set up, and you have asked to join {team_name}. \
             The team will check your details and link your account to your health record. \
             We will email you when they have.\n\n\
             You can sign in at any time to see where your request has got to:\n{}\n\n\
             If this was not you, contact {team_name} straight away.",
            link(base, "sign-in", None),
        ),
    )
}

/// Staff linked the sign-up to a record, or made one for it.
pub fn sign_up_accepted(base: &Url, to: &EmailAddress, given_name: &str, team_name: &str) -> Email {
    email(
        to,
        "Your health record is ready on Portico",
        format!(
            "Dear {given_name},\n\n\
             {team_name} has linked your Portico account to your health record. \
             Sign in to see it:\n{}",
            link(base, "sign-in", None),
        ),
    )
}

/// Staff declined the sign-up; `reason` is the team's own words to the patient.
pub fn sign_up_declined(base: &Url, to: &EmailAddress, given_name: &str, team_name: &str, reason: &str) -> Email {
    email(
        to,
        "Your request to join your clinical team on Portico",
        format!(
            "Dear {given_name},\n\n\
             {team_name} could not accept your request to join them on Portico. They said:\n\n\
             {reason}\n\n\
             If you have questions, contact {team_name}. You can also sign in to read this again:\n{}",
            link(base, "sign-in", None),
        ),
    )
}

pub fn password_reset(base: &Url, to: &EmailAddress, token: &str) -> Email {
    email(
        to,
        "Reset your Portico password",
        format!(
            "To choose a new password, open this link:\n{}\n\n\
             The link works once and expires in 1 hour. Resetting your password signs you out everywhere.\n\n\
             If you did not ask to reset your password, you can ignore this email: your password has not changed.",
            link(base, "reset-password", Some(("token", token))),
        ),
    )
}

/// Sent when a reset is asked for an address with no account, so the answer
/// on the page can be the same either way.
pub fn password_reset_no_account(base: &Url, to: &EmailAddress) -> Email {
    email(
        to,
        "Reset your Portico password",
        format!(
            "Someone asked to reset the password of a Portico account with this email address, \
             but there is no Portico account that uses it.\n\n\
             If you have an account, try the email address you registered with:\n{}\n\n\
             If you did not ask, you can ignore this email.",
            link(base, "forgotten-password", None),
        ),
    )
}

pub fn password_changed(base: &Url, to: &EmailAddress) -> Email {
    email(
        to,
        "Your Portico password has been changed",
        format!(
            "The password of your Portico account has been changed, and you have been signed out everywhere.\n\n\
             If this was not you, reset your password now:\n{}",
            link(base, "forgotten-password", None),
        ),
    )
}

pub fn confirm_new_email(base: &Url, to: &EmailAddress, token: &str) -> Email {
    email(
        to,
        "Confirm your new email address for Portico",
        format!(
            "To use this email address for your Portico account, open this link:\n{}\n\n\
             The link works once and expires in 1 hour. If you did not ask for this, you can ignore this email.",
            link(base, "account/confirm-email", Some(("token", token))),
        ),
    )
}

/// Sent to a new address that another account already uses.
pub fn new_email_taken(base: &Url, to: &EmailAddress) -> Email {
    email(
        to,
        "This email address already has a Portico account",
        format!(
            "Someone asked to move a Portico account to this email address, \
             but another Portico account already uses it, so nothing has changed.\n\n\
             To sign in to the account that uses this address, go to:\n{}",
            link(base, "sign-in", None),
        ),
    )
}

pub fn email_change_requested(to: &EmailAddress) -> Email {
    email(
        to,
        "Someone asked to change your Portico email address",
        "Someone signed in to your Portico account asked to change its email address. \
         Nothing changes until the new address is confirmed.\n\n\
         If this was not you, sign in and change your password now."
            .to_owned(),
    )
}

pub fn email_changed(to: &EmailAddress, new_email: &EmailAddress) -> Email {
    email(
        to,
        "Your Portico email address has been changed",
        format!(
            "The email address of your Portico account has been changed to {}. \
             Emails about your account will go there from now on.\n\n\
             If this was not you, contact the clinical team that invited you straight away.",
            mask(new_email),
        ),
    )
}

/// "1 January 2027", as NHS.UK writes dates.
pub fn long_date(date: time::Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// `j***@example.com`: enough for the owner to recognise, little for anyone else.
fn mask(email: &EmailAddress) -> String {
    let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://portico.example.nhs.uk/").unwrap()
    }

    #[test]
    fn links_come_from_the_configured_address_and_carry_the_code() {
        let code = InvitationCode::from_random_bits(12345);
        let to = EmailAddress::parse("jo@example.com").unwrap();
        let mail = invitation(&base(), &to, "Jo", "Diabetes Clinic", &code, "1 January 2027");
        let expected = format!("https://portico.example.nhs.uk/register?code={}", code.grouped());
        assert!(mail.body.contains(&expected), "{}", mail.body);
        assert!(mail.body.contains(&code.grouped()));
    }

    #[test]
    fn the_six_digit_code_is_shown_in_two_groups() {
        let to = EmailAddress::parse("jo@example.com").unwrap();
        let mail = confirm_registration_email(&base(), &to, "abc", "123456");
        assert!(mail.body.contains("123 456"));
        assert!(mail.body.contains("https://portico.example.nhs.uk/register/confirm-email?token=abc"));
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(long_date(time::macros::date!(2027 - 01 - 05)), "5 January 2027");
    }

    #[test]
    fn masks_addresses() {
        assert_eq!(mask(&EmailAddress::parse("jordan@example.com").unwrap()), "j***@example.com");
    }
}

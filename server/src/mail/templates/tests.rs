use super::*;

fn base() -> Url {
    Url::parse("https://portico.example.nhs.uk/").unwrap()
}

fn jo() -> EmailAddress {
    EmailAddress::parse("jo@example.com").unwrap()
}

fn footer() -> Footer {
    Footer {
        settings_link: "https://portico.example.nhs.uk/account/notifications".into(),
        unsubscribe_page: "https://portico.example.nhs.uk/notifications/unsubscribe?token=t".into(),
        one_click: "https://portico.example.nhs.uk/api/v1/notifications/unsubscribe?token=t".into(),
    }
}

/// HTML as a browser reads it (minijinja escapes `/` and `'` too).
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Every template function, with sample values: none may fall back to the plain note.
fn every_email() -> Vec<Email> {
    let b = base();
    let to = jo();
    let code = InvitationCode::from_random_bits(12345);
    let f = footer();
    vec![
        invitation(&b, &to, "Jo", "Jo B.", "Diabetes Clinic", &code, "1 January 2027"),
        professional_invitation(&b, &to, "Jo", "Diabetes Clinic", &code, "1 January 2027"),
        confirm_registration_email(&b, &to, "abc", "123456"),
        already_registered(&b, &to),
        registered(&b, &to, "Jo"),
        sign_up_waiting(&b, &to, "Jo", "Diabetes Clinic"),
        sign_up_accepted(&b, &to, "Jo", "Diabetes Clinic", &f),
        sign_up_declined(&b, &to, "Jo", "Diabetes Clinic", "We could not find you.", &f),
        sign_up_held_for_review(&b, &to, "Cardiology Clinic", "r-1"),
        password_reset(&b, &to, "tok"),
        password_reset_no_account(&b, &to),
        password_changed(&b, &to),
        confirm_new_email(&b, &to, "tok"),
        new_email_taken(&b, &to),
        email_change_requested(&to),
        email_changed(&to, &EmailAddress::parse("jordan@example.org").unwrap()),
        email_changed_new(&b, &to),
        new_device_sign_in(&b, &to, "1 January 2027 at 9:05am (UTC)"),
        second_factor_changed(&b, &to, SecondFactorChange::TurnedOn, "1 January 2027 at 9:05am (UTC)"),
        second_factor_changed(&b, &to, SecondFactorChange::TurnedOff, "1 January 2027 at 9:05am (UTC)"),
        second_factor_changed(
            &b,
            &to,
            SecondFactorChange::RecoveryCodeUsed { left: 7 },
            "1 January 2027 at 9:05am (UTC)",
        ),
        new_entries(&b, &to, "Jo", false, &f),
        new_entries(&b, &to, "Jo", true, &f),
        invitation_accepted(&b, &to, "Jo", "Sam", &f),
        carer_access(&b, &to, "Sam", "Jo", CarerAccessChange::Granted, &f),
        carer_access(&b, &to, "Sam", "Jo", CarerAccessChange::Changed, &f),
        carer_access(&b, &to, "Sam", "Jo", CarerAccessChange::Ended, &f),
        carer_band(
            &b,
            &to,
            "Sam",
            "Jo",
            CarerBandNotice::Warning,
            "not_private",
            time::macros::date!(2027 - 01 - 01),
            &f,
        ),
        carer_band(&b, &to, "Sam", "Jo", CarerBandNotice::Warning, "review", time::macros::date!(2027 - 01 - 01), &f),
        carer_band(&b, &to, "Sam", "Jo", CarerBandNotice::Warning, "end", time::macros::date!(2027 - 01 - 01), &f),
        carer_band(&b, &to, "Sam", "Jo", CarerBandNotice::Extended, "end", time::macros::date!(2027 - 01 - 01), &f),
        carer_invited(&b, &to, "Jo", None, "tok", time::macros::date!(2027 - 01 - 01)),
        carer_invited(&b, &to, "Jo", Some("Leeds Teaching Hospitals"), "tok", time::macros::date!(2027 - 01 - 01)),
        carer_added(&b, &to, "Sam"),
        digest(&b, &to, "Jo", vec!["There is new information in your health record.".into()], &f),
    ]
}

#[test]
fn every_notification_template_function_renders_both_parts() {
    for mail in every_email() {
        assert_ne!(mail.subject, "A message from Portico", "fell back: {}", mail.body);
        assert!(!mail.subject.is_empty() && !mail.subject.contains('\n'));
        assert!(mail.body.ends_with("Portico\n\nThis is an automated email: replies are not read."), "{}", mail.body);
        let html = unescape(mail.html.as_deref().unwrap());
        assert!(html.starts_with("<!doctype html>") && html.contains("name=\"viewport\""), "{html}");
        assert!(html.contains(&format!("<title>{}</title>", mail.subject)), "{html}");
        // Every link in the text is in the HTML too.
        for line in mail.body.lines().filter(|l| l.starts_with("https://")) {
            assert!(html.contains(&format!("href=\"{line}\"")), "{line} missing from {html}");
        }
    }
}

#[test]
fn notifications_that_can_be_turned_off_say_how() {
    let mail = new_entries(&base(), &jo(), "Jo", false, &footer());
    assert_eq!(mail.list_unsubscribe.as_deref(), Some(footer().one_click.as_str()));
    assert!(mail.body.contains(&footer().settings_link) && mail.body.contains(&footer().unsubscribe_page));
    assert!(mail.html.unwrap().contains("Change your email settings"));
    let notice = password_changed(&base(), &jo());
    assert_eq!(notice.list_unsubscribe, None, "security notices cannot be turned off");
    assert!(!notice.body.contains("email settings"));
}

#[test]
fn notification_templates_say_what_they_said_before_templates_were_files() {
    let code = InvitationCode::from_random_bits(12345);
    let mail = invitation(&base(), &jo(), "Jo", "Jo B.", "Diabetes Clinic", &code, "1 January 2027");
    assert_eq!(mail.subject, "Your invitation to see your health record online (for Jo B.)");
    let g = code.grouped();
    assert_eq!(
        mail.body,
        format!(
            "Dear Jo,\n\nDiabetes Clinic invites you to register for Portico, to see your letters, test results and \
             appointments online.\n\nThis invitation is for Jo B. and works only with their date of birth.\n\nTo register, go to:\nhttps://portico.example.nhs.uk/register?code={g}\n\n\
             Or go to https://portico.example.nhs.uk/register and enter this registration code:\n\n    {g}\n\n\
             You will need your date of birth. The code works once and expires on 1 January 2027.\n\n\
             If you were not expecting this email, you can ignore it.\n\nPortico\n\n\
             This is an automated email: replies are not read."
        )
    );
    let changed = email_changed(&jo(), &EmailAddress::parse("jordan@example.org").unwrap());
    assert_eq!(
        changed.body,
        "The email address of your Portico account has been changed to j***@example.org. Emails about your \
         account will go there from now on.\n\nIf this was not you, contact the clinical team that invited you \
         straight away.\n\nPortico\n\nThis is an automated email: replies are not read."
    );
}

#[test]
fn names_are_escaped_in_html_and_kept_out_of_subjects() {
    let mail = sign_up_held_for_review(&base(), &jo(), "Team <b>\r\nBcc: x@evil.example", "r-1");
    assert_eq!(mail.subject, "A sign-up is waiting for review in Team <b> Bcc: x@evil.example");
    let html = mail.html.unwrap();
    assert!(html.contains("Team &lt;b&gt;"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
}

#[test]
fn links_come_from_the_configured_address_and_carry_the_code() {
    let code = InvitationCode::from_random_bits(12345);
    let mail = invitation(&base(), &jo(), "Jo", "Jo B.", "Diabetes Clinic", &code, "1 January 2027");
    let expected = format!("https://portico.example.nhs.uk/register?code={}", code.grouped());
    assert!(mail.body.contains(&expected), "{}", mail.body);
    assert!(mail.body.contains(&code.grouped()));
}

#[test]
fn the_six_digit_code_is_shown_in_two_groups() {
    let mail = confirm_registration_email(&base(), &jo(), "abc", "123456");
    assert!(mail.body.contains("123 456"));
    assert!(mail.body.contains("https://portico.example.nhs.uk/register/confirm-email?token=abc"));
}

#[test]
fn dates_read_as_people_write_them() {
    assert_eq!(long_date(time::macros::date!(2027 - 01 - 05)), "5 January 2027");
    assert_eq!(long_date_time(time::macros::datetime!(2027-01-05 00:07 UTC)), "5 January 2027 at 12:07am (UTC)");
    assert_eq!(long_date_time(time::macros::datetime!(2027-01-05 13:30 UTC)), "5 January 2027 at 1:30pm (UTC)");
}

#[test]
fn masks_addresses() {
    assert_eq!(mask(&EmailAddress::parse("jordan@example.com").unwrap()), "j***@example.com");
}

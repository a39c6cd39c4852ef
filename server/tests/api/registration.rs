//! Invited registration over the API, with a real SMTP server catching the
//! mail: code and date of birth, email proved by code or by link (on another
//! device), password, record; and every way it can go wrong.

use portico_server::db::Engine;
use portico_types::api::{IssuedInvitation, RegistrationCompleted, RegistrationView};
use serde_json::json;
use time::Duration;

use crate::helpers::{ASHA, TestApp, browser, problem};
use crate::invitations::{
    GOOD_PASSWORD, admin, app_with_mail, issue_as, letter, post, start, unregistered_record, wrong_date,
};
use crate::mail_catcher::{link_param, six_digits};

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn a_letter_code_registers_a_patient_who_then_sees_their_record(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, given) = unregistered_record(&app, 0).await;
    let invitation = letter(&app, &record_id).await;
    let code = invitation.code.clone().unwrap();
    assert_eq!(code.len(), 14, "printed in groups: {code}");
    assert!(invitation.link.as_deref().unwrap().ends_with(&format!("/register?code={code}")));
    assert!(invitation.qr_svg.as_deref().unwrap().starts_with("<svg"), "the link as a QR code");
    // Staff see the invitation on the record: channel and dates, never the code.
    let detail = admin(&app).await.get(app.url(&format!("/api/v1/staff/records/{record_id}"))).send().await.unwrap();
    let detail: portico_types::api::RecordDetailResponse = detail.json().await.unwrap();
    assert_eq!(detail.registration, "invited");
    let shown = detail.invitation.unwrap();
    assert_eq!((shown.channel.as_str(), shown.state.as_str()), ("letter", "issued"));
    assert!(!serde_json::to_string(&shown).unwrap().contains(&code));

    let patient = browser();
    // Typed as people type: lower case, spaces for hyphens.
    let typed = code.to_lowercase().replace('-', " ");
    let started = start(&app, &patient, &typed, &dob).await;
    assert_eq!(started.status(), 201);
    let view: RegistrationView = started.json().await.unwrap();
    assert_eq!(view.given_name, given);
    assert_eq!(serde_json::to_value(view.step).unwrap(), "email");

    let email = "new.patient@example.com";
    let sent = post(&app, &patient, "/api/v1/registration/email", json!({ "email": email })).await;
    assert_eq!(sent.status(), 200);
    let confirm = mail.wait_for(email, "Confirm your email address").await;
    let digits = six_digits(&confirm.body).expect("a six-digit code");

    // The account is not made until the email is proved.
    let early = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(problem(early).await["type"], "email-not-confirmed");

    let wrong = if digits == "000000" { "111111" } else { "000000" };
    let refused = post(&app, &patient, "/api/v1/registration/email/confirm", json!({ "code": wrong })).await;
    assert_eq!(refused.status(), 422);
    let confirmed = post(&app, &patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    assert_eq!(confirmed.status(), 200);
    let view: RegistrationView = confirmed.json().await.unwrap();
    assert_eq!(serde_json::to_value(view.step).unwrap(), "password");

    let weak = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": "passwordpassword", "accept_terms": false }),
    )
    .await;
    let weak = problem(weak).await;
    let fields: Vec<&str> = weak["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["password", "accept_terms"]);

    let done = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(done.status(), 201);
    let completed: RegistrationCompleted = done.json().await.unwrap();
    assert!(!completed.hand_back);
    let session = completed.signed_in.expect("signed in on their own device");
    assert_eq!(session.account.email.as_str(), email);
    assert!(session.has_record);
    assert!(session.staff.is_none());
    let record = patient.get(app.url("/api/v1/me/record")).send().await.unwrap();
    assert_eq!(record.status(), 200);
    mail.wait_for(email, "You have registered").await;

    // The code is spent; the audit tells the invitation's whole story.
    let again = start(&app, &browser(), &code, &dob).await;
    assert_eq!(problem(again).await["type"], "invitation-used");
    for action in [
        "invitation_issued",
        "invitation_opened",
        "registration_email_sent",
        "registration_email_confirmed",
        "invitation_used",
        "account_registered",
    ] {
        assert_eq!(audit_count(&app, action).await, 1, "{action}");
    }
    let state: String = sqlx::query_scalar("SELECT state FROM invitations WHERE id = $1")
        .bind(&invitation.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(state, "used");
    // And the patient can sign in with the password they chose.
    let again = browser();
    assert_eq!(app.sign_in_as(&again, email, GOOD_PASSWORD).await.status(), 200);
}

async fn an_emailed_invitation_is_finished_on_the_device_that_opens_the_link(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 1).await;
    let asha = admin(&app).await;
    let to = "phone.user@example.com";
    let issued = issue_as(&app, &asha, &record_id, json!({ "channel": "email", "email": to })).await;
    assert_eq!(issued.status(), 201);
    let issued: IssuedInvitation = issued.json().await.unwrap();
    assert_eq!(issued.code, None, "an emailed code goes only to the inbox");
    let invitation = mail.wait_for(to, "Your invitation").await;
    let code = link_param(&invitation.body, "code").expect("a link with the code");
    assert!(invitation.body.contains(&app.base), "links use the configured address");

    // Delivery marks the invitation sent.
    let mut state = String::new();
    for _ in 0..50 {
        state = sqlx::query_scalar("SELECT state FROM invitations WHERE id = $1")
            .bind(&issued.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        if state == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state, "sent");

    let laptop = browser();
    assert_eq!(start(&app, &laptop, &code, &dob).await.status(), 201);
    let view: RegistrationView =
        laptop.get(app.url("/api/v1/registration")).send().await.unwrap().json().await.unwrap();
    let on_record: Option<String> = sqlx::query_scalar("SELECT email FROM records WHERE id = $1")
        .bind(&record_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(view.email.map(|e| e.as_str().to_owned()), on_record, "pre-filled from the record");

    assert_eq!(post(&app, &laptop, "/api/v1/registration/email", json!({ "email": to })).await.status(), 200);
    let confirm = mail.wait_for(to, "Confirm your email address").await;
    let token = link_param(&confirm.body, "token").expect("a link with a token");

    // The link opened on a phone that never saw the code: it carries on there.
    let phone = browser();
    let opened = post(&app, &phone, "/api/v1/registration/email/confirm", json!({ "token": token })).await;
    assert_eq!(opened.status(), 200);
    let twice = post(&app, &browser(), "/api/v1/registration/email/confirm", json!({ "token": token })).await;
    assert_eq!(problem(twice).await["type"], "email-link-used", "a link works once");
    // Both devices now stand at the password step.
    for device in [&laptop, &phone] {
        let view: RegistrationView =
            device.get(app.url("/api/v1/registration")).send().await.unwrap().json().await.unwrap();
        assert_eq!(serde_json::to_value(view.step).unwrap(), "password");
    }
    let done =
        post(&app, &phone, "/api/v1/registration/complete", json!({ "password": GOOD_PASSWORD, "accept_terms": true }))
            .await;
    assert_eq!(done.status(), 201);
    assert_eq!(phone.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 200);
    let gone = laptop.get(app.url("/api/v1/registration")).send().await.unwrap();
    assert_eq!(problem(gone).await["type"], "registration-not-found");
}

async fn wrong_dates_of_birth_lock_the_code_and_staff_can_reissue(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 2).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    let patient = browser();
    let wrong = wrong_date(&dob);
    for left in (1..=4).rev() {
        let refused = problem(start(&app, &patient, &code, &wrong).await).await;
        assert_eq!(refused["type"], "registration-mismatch");
        assert!(refused["detail"].as_str().unwrap().contains(&format!("After {left} more wrong")), "{refused}");
    }
    let locked = problem(start(&app, &patient, &code, &wrong).await).await;
    assert_eq!(locked["type"], "invitation-locked");
    // Locked means locked: the right date of birth no longer opens it.
    let still = problem(start(&app, &patient, &code, &dob).await).await;
    assert_eq!(still["type"], "invitation-locked");
    assert_eq!(audit_count(&app, "invitation_failed_attempt").await, 5);
    assert_eq!(audit_count(&app, "invitation_locked").await, 1);

    // A new invitation from staff works.
    let fresh = letter(&app, &record_id).await.code.unwrap();
    assert_eq!(start(&app, &browser(), &fresh, &dob).await.status(), 201);
}

async fn a_missing_code_is_answered_exactly_like_a_real_one_with_the_wrong_date(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 3).await;
    let real = letter(&app, &record_id).await.code.unwrap();
    let missing = portico_types::InvitationCode::from_random_bits(123_456_789).grouped();
    let wrong = wrong_date(&dob);
    let mut answers = Vec::new();
    for code in [&real, &missing] {
        let response = start(&app, &browser(), code, &wrong).await;
        answers.push((response.status(), response.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    // Five tries lock a missing code too, so a lock says nothing either.
    for _ in 0..4 {
        start(&app, &browser(), &missing, &wrong).await;
    }
    assert_eq!(problem(start(&app, &browser(), &missing, &wrong).await).await["type"], "invitation-locked");
}

async fn two_browsers_finishing_with_one_code_at_once_make_one_account(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 4).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    let mut browsers = Vec::new();
    for (n, email) in ["first@example.com", "second@example.com"].into_iter().enumerate() {
        let client = browser();
        assert_eq!(start(&app, &client, &code, &dob).await.status(), 201, "browser {n}");
        assert_eq!(post(&app, &client, "/api/v1/registration/email", json!({ "email": email })).await.status(), 200);
        let digits = six_digits(&mail.wait_for(email, "Confirm").await.body).unwrap();
        assert_eq!(
            post(&app, &client, "/api/v1/registration/email/confirm", json!({ "code": digits })).await.status(),
            200
        );
        browsers.push(client);
    }
    let body = json!({ "password": GOOD_PASSWORD, "accept_terms": true });
    let (a, b) = tokio::join!(
        post(&app, &browsers[0], "/api/v1/registration/complete", body.clone()),
        post(&app, &browsers[1], "/api/v1/registration/complete", body.clone()),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let loser = if a.status() == 409 { a } else { b };
    assert_eq!(problem(loser).await["type"], "invitation-used");
    let owners: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email IN ('first@example.com', 'second@example.com')")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(owners, 1);
}

async fn used_expired_replaced_and_registered_each_say_what_to_do(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 5).await;
    // A newer letter replaces the older one on the same channel.
    let older = letter(&app, &record_id).await;
    let newer = letter(&app, &record_id).await;
    assert_eq!(newer.revoked, 1);
    let replaced = problem(start(&app, &browser(), older.code.as_ref().unwrap(), &dob).await).await;
    assert_eq!(replaced["type"], "invitation-not-valid");
    assert!(replaced["detail"].as_str().unwrap().contains("clinical team"));

    // An email invitation alongside, then registration with the letter.
    let asha = admin(&app).await;
    assert_eq!(
        issue_as(&app, &asha, &record_id, json!({ "channel": "email", "email": "other@example.com" })).await.status(),
        201
    );
    let emailed = link_param(&mail.wait_for("other@example.com", "Your invitation").await.body, "code").unwrap();
    let patient = browser();
    start(&app, &patient, newer.code.as_ref().unwrap(), &dob).await;
    post(&app, &patient, "/api/v1/registration/email", json!({ "email": "reg@example.com" })).await;
    let digits = six_digits(&mail.wait_for("reg@example.com", "Confirm").await.body).unwrap();
    post(&app, &patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    let done = post(
        &app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(done.status(), 201);
    // The other invitation now says the patient has registered, and where to go.
    let registered = problem(start(&app, &browser(), &emailed, &dob).await).await;
    assert_eq!(registered["type"], "record-registered");
    assert!(registered["detail"].as_str().unwrap().contains("Sign in"));
    // Staff are told too.
    let refused = issue_as(&app, &asha, &record_id, json!({ "channel": "letter" })).await;
    assert_eq!(problem(refused).await["type"], "record-registered");

    // An invitation past its channel's lifetime (21 days for a letter) has expired.
    let (other_id, other_dob, _) = unregistered_record(&app, 6).await;
    let code = letter(&app, &other_id).await.code.unwrap();
    app.clock.advance(Duration::days(22));
    let expired = problem(start(&app, &browser(), &code, &other_dob).await).await;
    assert_eq!(expired["type"], "invitation-expired");
}

async fn an_address_that_has_an_account_gets_an_email_not_an_answer(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 7).await;
    let code = letter(&app, &record_id).await.code.unwrap();
    let patient = browser();
    start(&app, &patient, &code, &dob).await;
    let taken = post(&app, &patient, "/api/v1/registration/email", json!({ "email": ASHA })).await;
    let free = {
        let other = browser();
        let (id2, dob2, _) = unregistered_record(&app, 8).await;
        let code2 = letter(&app, &id2).await.code.unwrap();
        start(&app, &other, &code2, &dob2).await;
        post(&app, &other, "/api/v1/registration/email", json!({ "email": "nobody.yet@example.com" })).await
    };
    assert_eq!(taken.status(), free.status());
    let taken: RegistrationView = taken.json().await.unwrap();
    assert_eq!(serde_json::to_value(taken.step).unwrap(), "confirm_email");
    let told = mail.wait_for(ASHA, "You already have a Portico account").await;
    assert!(six_digits(&told.body).is_none() && link_param(&told.body, "token").is_none());
    assert!(told.body.contains("/forgotten-password"));
}

async fn excluded_records_get_no_invitation_and_say_why_only_to_those_who_may_know(engine: Engine) {
    let (app, _mail) = app_with_mail(engine).await;
    let (record_id, dob, _) = unregistered_record(&app, 9).await;
    let out_before = letter(&app, &record_id).await.code.unwrap();
    let morgan = browser();
    app.sign_in_as(&morgan, "morgan.reid@demo.portico.example", crate::helpers::DEMO_PASSWORD).await;
    let set = morgan
        .put(app.url(&format!("/api/v1/staff/records/{record_id}/exclusion")))
        .json(&json!({ "reason": "safeguarding_concern", "note": "Concern raised" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);

    // Asha (a clinician too) is told why.
    let asha = admin(&app).await;
    for channel in ["letter", "email"] {
        let refused =
            problem(issue_as(&app, &asha, &record_id, json!({ "channel": channel, "email": "x@example.com" })).await)
                .await;
        assert_eq!(refused["type"], "record-excluded", "{channel}");
    }
    // An admin who may not see exclusions gets a generic refusal.
    sqlx::query("INSERT INTO team_roles (account_id, team_id, role) SELECT account_id, team_id, 'admin' FROM team_roles WHERE account_id = (SELECT id FROM accounts WHERE email = $1) AND role = 'receptionist'")
        .bind(crate::helpers::SAM)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let sam = browser();
    app.sign_in_as(&sam, crate::helpers::SAM, crate::helpers::DEMO_PASSWORD).await;
    let generic = problem(issue_as(&app, &sam, &record_id, json!({ "channel": "letter" })).await).await;
    assert_eq!(generic["type"], "invitation-refused");
    assert!(!generic.to_string().contains("safeguarding"), "{generic}");
    // The invitation already out was revoked when the exclusion was set.
    let patient = problem(start(&app, &browser(), &out_before, &dob).await).await;
    assert_eq!(patient["type"], "invitation-not-valid");
    assert!(!patient.to_string().contains("safeguarding"));
}

crate::on_both_engines!(
    a_letter_code_registers_a_patient_who_then_sees_their_record,
    an_emailed_invitation_is_finished_on_the_device_that_opens_the_link,
    wrong_dates_of_birth_lock_the_code_and_staff_can_reissue,
    a_missing_code_is_answered_exactly_like_a_real_one_with_the_wrong_date,
    two_browsers_finishing_with_one_code_at_once_make_one_account,
    used_expired_replaced_and_registered_each_say_what_to_do,
    an_address_that_has_an_account_gets_an_email_not_an_answer,
    excluded_records_get_no_invitation_and_say_why_only_to_those_who_may_know,
);

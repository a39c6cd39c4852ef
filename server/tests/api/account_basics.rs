//! What every portal account can do: reset a forgotten password, change the
//! email address, sign out everywhere. Mail goes through a real SMTP server.

use portico_server::db::Engine;
use reqwest::Client;
use serde_json::json;

use crate::helpers::{TestApp, browser, problem};
use crate::invitations::app_with_mail;
use crate::invitations::{GOOD_PASSWORD, letter, post, start, unregistered_record};
use crate::mail_catcher::{MailCatcher, link_param, six_digits};

/// Registers a patient by letter code; returns their signed-in client.
pub(crate) async fn registered_patient(app: &TestApp, mail: &MailCatcher, email: &str, nth: i64) -> Client {
    let (record_id, dob, _) = unregistered_record(app, nth).await;
    let code = letter(app, &record_id).await.code.unwrap();
    let patient = browser();
    assert_eq!(start(app, &patient, &code, &dob).await.status(), 201);
    post(app, &patient, "/api/v1/registration/email", json!({ "email": email })).await;
    let digits = six_digits(&mail.wait_for(email, "Confirm").await.body).unwrap();
    post(app, &patient, "/api/v1/registration/email/confirm", json!({ "code": digits })).await;
    let done = post(
        app,
        &patient,
        "/api/v1/registration/complete",
        json!({ "password": GOOD_PASSWORD, "accept_terms": true }),
    )
    .await;
    assert_eq!(done.status(), 201);
    patient
}

async fn a_forgotten_password_is_reset_by_a_link_that_works_once(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let email = "forgetful@example.com";
    let first_device = registered_patient(&app, &mail, email, 0).await;

    // Asked for an address with an account and one without: the same answer.
    let asked = post(&app, &browser(), "/api/v1/password-reset", json!({ "email": email })).await;
    let nobody = post(&app, &browser(), "/api/v1/password-reset", json!({ "email": "nobody@example.com" })).await;
    assert_eq!((asked.status(), nobody.status()), (reqwest::StatusCode::ACCEPTED, reqwest::StatusCode::ACCEPTED));
    assert_eq!(asked.text().await.unwrap(), nobody.text().await.unwrap());
    let no_account = mail.wait_for("nobody@example.com", "Reset your Portico password").await;
    assert!(link_param(&no_account.body, "token").is_none());

    let reset = mail.wait_for(email, "Reset your Portico password").await;
    let token = link_param(&reset.body, "token").unwrap();
    let weak =
        post(&app, &browser(), "/api/v1/password-reset/complete", json!({ "token": token, "password": "short" })).await;
    assert_eq!(problem(weak).await["errors"][0]["field"], "password");
    let new_password = "tulip anchor meadow";
    let done =
        post(&app, &browser(), "/api/v1/password-reset/complete", json!({ "token": token, "password": new_password }))
            .await;
    assert_eq!(done.status(), 204);
    let again =
        post(&app, &browser(), "/api/v1/password-reset/complete", json!({ "token": token, "password": new_password }))
            .await;
    assert_eq!(problem(again).await["type"], "link-used");

    // The reset ended every session, and told the account's address.
    let session = first_device.get(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(session.status(), 401);
    mail.wait_for(email, "Your Portico password has been changed").await;
    assert_eq!(app.sign_in_as(&browser(), email, GOOD_PASSWORD).await.status(), 401);
    assert_eq!(app.sign_in_as(&browser(), email, new_password).await.status(), 200);

    // A link past its hour does nothing.
    post(&app, &browser(), "/api/v1/password-reset", json!({ "email": email })).await;
    let late = mail.wait_for_nth(email, "Reset your Portico password", 2).await;
    app.clock.advance(time::Duration::minutes(61));
    let token = link_param(&late.body, "token").unwrap();
    let expired = post(
        &app,
        &browser(),
        "/api/v1/password-reset/complete",
        json!({ "token": token, "password": "another long passphrase" }),
    )
    .await;
    assert_eq!(problem(expired).await["type"], "link-used");
}

async fn a_change_of_email_is_proved_at_the_new_address_and_told_to_the_old(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let old = "old.address@example.com";
    let new = "new.address@example.com";
    let patient = registered_patient(&app, &mail, old, 1).await;

    let wrong =
        post(&app, &patient, "/api/v1/me/email", json!({ "new_email": new, "password": "not my password" })).await;
    assert_eq!(problem(wrong).await["errors"][0]["field"], "password");
    let same = post(&app, &patient, "/api/v1/me/email", json!({ "new_email": old, "password": GOOD_PASSWORD })).await;
    assert_eq!(problem(same).await["errors"][0]["field"], "new_email");
    let asked = post(&app, &patient, "/api/v1/me/email", json!({ "new_email": new, "password": GOOD_PASSWORD })).await;
    assert_eq!(asked.status(), 202);
    mail.wait_for(old, "Someone asked to change your Portico email address").await;
    let proof = mail.wait_for(new, "Confirm your new email address").await;
    let token = link_param(&proof.body, "token").unwrap();

    // Nothing changes until the link is opened, on any device.
    assert_eq!(app.sign_in_as(&browser(), old, GOOD_PASSWORD).await.status(), 200);
    let confirmed = post(&app, &browser(), "/api/v1/me/email/confirm", json!({ "token": token })).await;
    assert_eq!(confirmed.status(), 200);
    let twice = post(&app, &browser(), "/api/v1/me/email/confirm", json!({ "token": token })).await;
    assert_eq!(problem(twice).await["type"], "link-used");
    mail.wait_for(old, "Your Portico email address has been changed").await;
    let told_new = mail.wait_for(new, "Your Portico email address has been changed").await;
    assert!(told_new.body.contains("/forgotten-password") && told_new.html.is_some(), "{}", told_new.body);
    assert_eq!(app.sign_in_as(&browser(), new, GOOD_PASSWORD).await.status(), 200);
    assert_eq!(app.sign_in_as(&browser(), old, GOOD_PASSWORD).await.status(), 401);

    // Moving to an address another account holds: told there, not here.
    let other = "someone.else@example.com";
    registered_patient(&app, &mail, other, 2).await;
    let taken =
        post(&app, &patient, "/api/v1/me/email", json!({ "new_email": other, "password": GOOD_PASSWORD })).await;
    assert_eq!(taken.status(), 202);
    let told = mail.wait_for(other, "already has a Portico account").await;
    assert!(link_param(&told.body, "token").is_none());
}

async fn signing_out_everywhere_ends_every_session(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let email = "many.devices@example.com";
    let first = registered_patient(&app, &mail, email, 3).await;
    let second = browser();
    assert_eq!(app.sign_in_as(&second, email, GOOD_PASSWORD).await.status(), 200);
    let ended = first.delete(app.url("/api/v1/me/sessions")).send().await.unwrap();
    assert_eq!(ended.status(), 204);
    for device in [&first, &second] {
        assert_eq!(device.get(app.url("/api/v1/session")).send().await.unwrap().status(), 401);
    }
    let anonymous = browser().delete(app.url("/api/v1/me/sessions")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Host-header poisoning (ASVS V5.1.x; the password-reset link attack): a
/// request naming another host, in every header a proxy might pass on, still
/// gets links to Portico's configured address, and Origin checks ignore Host.
async fn a_forged_host_header_cannot_send_a_reset_link_elsewhere(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let email = "hosted@example.com";
    registered_patient(&app, &mail, email, 1).await;
    let forged = browser()
        .post(app.url("/api/v1/password-reset"))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .header("forwarded", "host=evil.example;proto=https")
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::ACCEPTED);
    let reset = mail.wait_for(email, "Reset your Portico password").await;
    assert!(!reset.body.contains("evil.example"), "{}", reset.body);
    assert!(reset.body.contains(&format!("{}/", app.base)), "the link names Portico's own address: {}", reset.body);
    // An Origin that matches the forged Host is still another site's.
    let cross = browser()
        .post(app.url("/api/v1/password-reset"))
        .header("host", "evil.example")
        .header("origin", "http://evil.example")
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), reqwest::StatusCode::FORBIDDEN);
}

crate::on_both_engines!(
    a_forged_host_header_cannot_send_a_reset_link_elsewhere,
    a_forgotten_password_is_reset_by_a_link_that_works_once,
    a_change_of_email_is_proved_at_the_new_address_and_told_to_the_old,
    signing_out_everywhere_ends_every_session,
);

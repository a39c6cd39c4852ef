//! Professionals as patients: a team admin sees the organisation's
//! professionals who have a record in the team and invites them in one step;
//! one of them adds the record to the account they already have.

use portico_server::db::Engine;
use portico_types::api::{
    ProfessionalInvitationsSent, ProfessionalsAsPatientsResponse, RegistrationCompleted, RegistrationView,
};
use reqwest::Client;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, SAM, TestApp, browser, problem};
use crate::invitations::{GOOD_PASSWORD, app_with_mail, post, start};
use crate::mail_catcher::link_param;

const JORDAN: &str = "jordan.hughes@demo.portico.example";

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_in_as(&client, email, DEMO_PASSWORD).await.status(), 200);
    client
}

async fn respiratory(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE slug = 'respiratory'").fetch_one(&app.db.pool).await.unwrap()
}

async fn a_team_admin_invites_professionals_and_one_account_holds_both_roles(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let team = respiratory(&app).await;
    let jordan = signed_in(&app, JORDAN).await;
    let path = format!("/api/v1/staff/teams/{team}/professionals-as-patients");

    let found: ProfessionalsAsPatientsResponse = jordan.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
    let by: Vec<(&str, &str, &str)> =
        found.professionals.iter().map(|p| (p.name.as_str(), p.matched_by.as_str(), p.state.as_str())).collect();
    assert_eq!(
        by,
        [("Jordan Hughes", "email_and_date_of_birth", "not_invited"), ("Sam Okafor", "nhs_number", "not_invited")]
    );
    assert_eq!(found.invitable, 2);

    // Only the team's admin: Sam is a receptionist there.
    let sam = signed_in(&app, SAM).await;
    assert_eq!(sam.get(app.url(&path)).send().await.unwrap().status(), 403);
    assert_eq!(post(&app, &sam, &format!("{path}/invitations"), json!({})).await.status(), 403);

    let sent = post(&app, &jordan, &format!("{path}/invitations"), json!({})).await;
    assert_eq!(sent.status(), 201);
    let sent: ProfessionalInvitationsSent = sent.json().await.unwrap();
    assert_eq!((sent.invited, sent.skipped), (2, 0));
    // A second press invites nobody twice.
    let again: ProfessionalInvitationsSent =
        post(&app, &jordan, &format!("{path}/invitations"), json!({})).await.json().await.unwrap();
    assert_eq!((again.invited, again.skipped), (0, 2));

    // Sam opens the email on his phone, and adds the record to his account.
    let email = mail.wait_for(SAM, "You can see your own health record").await;
    let code = link_param(&email.body, "code").unwrap();
    let phone = browser();
    let started = start(&app, &phone, &code, "1988-03-14").await;
    assert_eq!(started.status(), 201);
    let view: RegistrationView = started.json().await.unwrap();
    assert_eq!(serde_json::to_value(view.step).unwrap(), "link_account");
    assert_eq!(view.email.unwrap().as_str(), SAM);
    // Not a new account: the email and password steps are closed to it.
    let email_step =
        problem(post(&app, &phone, "/api/v1/registration/email", json!({ "email": "x@example.com" })).await).await;
    assert_eq!(email_step["type"], "sign-in-to-link");
    let wrong =
        problem(post(&app, &phone, "/api/v1/registration/link", json!({ "password": GOOD_PASSWORD })).await).await;
    assert_eq!(wrong["errors"][0]["field"], "password");
    let linked = post(&app, &phone, "/api/v1/registration/link", json!({ "password": DEMO_PASSWORD })).await;
    assert_eq!(linked.status(), 200);
    let linked: RegistrationCompleted = linked.json().await.unwrap();
    let session = linked.signed_in.unwrap();
    assert!(session.has_record && session.staff.is_some(), "one account, both roles");
    // A staff account's sign-in, this way too, waits for its second factor.
    assert_eq!(session.second_factor, Some(portico_types::api::SecondFactorStep::Verify));
    assert_eq!(phone.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 401);
    assert_eq!(app.give_demo_code(&phone, &session.account.id).await.status(), 200);
    assert_eq!(phone.get(app.url("/api/v1/me/record")).send().await.unwrap().status(), 200);
    assert_eq!(phone.get(app.url("/api/v1/staff/teams")).send().await.unwrap().status(), 200);

    let after: ProfessionalsAsPatientsResponse = jordan.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
    let states: Vec<&str> = after.professionals.iter().map(|p| p.state.as_str()).collect();
    assert_eq!(states, ["invited", "registered"]);
    assert!(app.audit_actions().await.contains(&"professional_record_linked".to_owned()));
}

async fn a_professionals_invitation_is_claimed_by_no_other_account(engine: Engine) {
    let (app, mail) = app_with_mail(engine).await;
    let team = respiratory(&app).await;
    let jordan = signed_in(&app, JORDAN).await;
    post(&app, &jordan, &format!("/api/v1/staff/teams/{team}/professionals-as-patients/invitations"), json!({})).await;
    let code = link_param(&mail.wait_for(SAM, "You can see your own health record").await.body, "code").unwrap();
    // Sam has a password of his own (the demo ones are all alike). Jordan,
    // who knows Sam's date of birth and got hold of the code, tries it with
    // his own password: the link is only ever to Sam's account.
    let sams_own = portico_server::auth::passwords::hash_blocking("sam's very own passphrase").unwrap();
    sqlx::query("UPDATE accounts SET password_hash = $2 WHERE email = $1")
        .bind(SAM)
        .bind(sams_own)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let phone = browser();
    assert_eq!(start(&app, &phone, &code, "1988-03-14").await.status(), 201);
    let refused =
        problem(post(&app, &phone, "/api/v1/registration/link", json!({ "password": DEMO_PASSWORD })).await).await;
    assert_eq!(refused["errors"][0]["field"], "password", "{refused}");
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT r.owner_account_id FROM records r JOIN professionals p ON p.nhs_number = r.nhs_number \
         JOIN accounts a ON a.id = p.account_id WHERE a.email = $1",
    )
    .bind(SAM)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(owner, None);
}

crate::on_both_engines!(
    a_team_admin_invites_professionals_and_one_account_holds_both_roles,
    a_professionals_invitation_is_claimed_by_no_other_account,
);

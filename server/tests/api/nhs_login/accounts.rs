//! A first NHS login meets what Portico holds already: a password account
//! with the same proven email is joined (only that one, at P9), and an
//! account that cannot be, details that differ from the record's, a record
//! someone else registered, and an identity below every accepted level each
//! stop the sign-in with a clear page and nothing written.

use portico_server::db::Engine;
use portico_types::api::MyRecordResponse;

use super::standin::{P9_ONLY, Setup, browser, spawn};
use crate::helpers::{self, DEMO_PASSWORD, account};

const MONA: &str = "9686368973";
const NIA_EMAIL: &str = "nia.newton@nhslogin.example";

async fn a_p9_identity_joins_the_password_account_with_its_proven_email(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let account_id = account(&it.app, NIA_EMAIL, "Nia Newton").await;
    let accounts = it.counts().await[0];
    assert_eq!(it.sign_in_as(&browser(), "p9-new").await, "/record");
    assert_eq!(it.counts().await[0], accounts, "no second account");
    let linked: String =
        sqlx::query_scalar("SELECT account_id FROM nhs_login_identities").fetch_one(&it.app.db.pool).await.unwrap();
    assert_eq!(linked, account_id);
    // Either way in now reaches the same record.
    let by_password = helpers::browser();
    assert_eq!(it.app.sign_in_as(&by_password, NIA_EMAIL, DEMO_PASSWORD).await.status(), 200);
    let mine: MyRecordResponse =
        by_password.get(it.app.url("/api/v1/me/record")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.given_name, "Nia");
}

async fn an_account_that_may_not_be_joined_stops_the_sign_in(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    // Nia's address is on an account that never proved it.
    account(&it.app, NIA_EMAIL, "Nia Newton").await;
    sqlx::query("UPDATE accounts SET email_verified_at = NULL WHERE id = $1")
        .bind(NIA_EMAIL)
        .execute(&it.app.db.pool)
        .await
        .unwrap();
    // Mona's is a professional's: NHS login must not open the staff console.
    let mona = account(&it.app, "mona.millar@nhslogin.example", "Mona Millar").await;
    sqlx::query(
        "INSERT INTO professionals (account_id, organisation_id, created_at) \
         SELECT $1, id, '2026-11-25T09:00:00.000000Z' FROM organisations LIMIT 1",
    )
    .bind(&mona)
    .execute(&it.app.db.pool)
    .await
    .unwrap();
    let before = it.counts().await;
    assert_eq!(it.sign_in_as(&browser(), "p9-new").await, "/nhs-login?outcome=email-in-use");
    assert_eq!(it.sign_in_as(&browser(), "p9-match").await, "/nhs-login?outcome=email-in-use");
    assert_eq!(it.counts().await, before);
    assert_eq!(it.owner_of(MONA).await, None);
}

async fn details_that_differ_or_a_record_registered_to_another_stop_the_sign_in(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let pool = &it.app.db.pool;
    sqlx::query("UPDATE records SET date_of_birth = '1968-02-13' WHERE nhs_number = $1")
        .bind(MONA)
        .execute(pool)
        .await
        .unwrap();
    let before = it.counts().await;
    assert_eq!(it.sign_in_as(&browser(), "p9-match").await, "/nhs-login?outcome=details-differ");
    assert_eq!(it.counts().await, before, "no second record with her NHS number");

    sqlx::query("UPDATE records SET date_of_birth = '1968-02-12' WHERE nhs_number = $1")
        .bind(MONA)
        .execute(pool)
        .await
        .unwrap();
    let someone = account(&it.app, "someone@patients.portico.example", "Someone Else").await;
    sqlx::query("UPDATE records SET owner_account_id = $1 WHERE nhs_number = $2")
        .bind(&someone)
        .bind(MONA)
        .execute(pool)
        .await
        .unwrap();
    let before = it.counts().await;
    assert_eq!(it.sign_in_as(&browser(), "p9-match").await, "/nhs-login?outcome=record-registered");
    assert_eq!(it.counts().await, before);
    assert_eq!(it.owner_of(MONA).await.as_deref(), Some(someone.as_str()));
}

async fn an_identity_with_no_proof_is_declined_even_where_p5_is_accepted(engine: Engine) {
    let it = spawn(engine, Setup { accept_p5: true, provider_down: false }).await;
    let before = it.counts().await;
    assert_eq!(it.sign_in_as(&browser(), "p0").await, "/nhs-login?outcome=declined");
    assert_eq!(it.counts().await, before);
}

crate::on_both_engines!(
    a_p9_identity_joins_the_password_account_with_its_proven_email,
    an_account_that_may_not_be_joined_stops_the_sign_in,
    details_that_differ_or_a_record_registered_to_another_stop_the_sign_in,
    an_identity_with_no_proof_is_declined_even_where_p5_is_accepted,
);

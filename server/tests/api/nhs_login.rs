//! Signing in with NHS login, the whole redirect dance against the NHS login
//! stand-in (a real OpenID Connect provider on loopback): a P9 identity
//! claims its record with no invitation or makes a new one, returns by its
//! `sub`, P5 never claims, an excluded record is held; and every bad answer
//! (wrong state, replayed code, spoiled ID tokens, missing or malformed
//! NHS number, a provider down or slow) gets a clear page and leaves nothing
//! half-made.

mod accounts;
mod bad_input;
mod join;
mod standin;

use portico_server::db::Engine;
use portico_types::api::{MyRecordResponse, NhsLoginStatus};
use standin::{P9_ONLY, Setup, browser, spawn};

const MONA: &str = "9686368973";
const MONA_EMAIL: &str = "mona.millar@nhslogin.example";
const NIA: &str = "9998000009";
const EZRA: &str = "9998000017";

async fn a_p9_identity_claims_the_record_its_nhs_number_and_birth_date_match(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let status: NhsLoginStatus = it.app.get("/api/v1/nhs-login").await.json().await.unwrap();
    assert!(status.enabled);
    assert_eq!(it.owner_of(MONA).await, None);

    let mona = browser();
    assert_eq!(it.sign_in_as(&mona, "p9-match").await, "/record");
    let mine: MyRecordResponse = mona.get(it.app.url("/api/v1/me/record")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.nhs_number.map(|n| n.as_digits()).as_deref(), Some(MONA));
    assert_eq!(mine.family_name, "Millar");
    let account = it.account_of(MONA_EMAIL).await.expect("an account for Mona");
    assert_eq!(it.owner_of(MONA).await.as_deref(), Some(account.as_str()));
    let actions = it.app.audit_actions().await;
    for action in ["account_registered", "nhs_login_linked", "nhs_login_record_claimed", "sign_in"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
}

async fn a_returning_identity_is_found_by_its_sub_not_its_email(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    assert_eq!(it.sign_in_as(&browser(), "p9-match").await, "/record");
    let account = it.account_of(MONA_EMAIL).await.unwrap();
    // Portico's copy of the address changes; NHS login's `sub` does not.
    sqlx::query("UPDATE accounts SET email = 'mona@elsewhere.example' WHERE id = $1")
        .bind(&account)
        .execute(&it.app.db.pool)
        .await
        .unwrap();
    let before = it.counts().await;
    let again = browser();
    assert_eq!(it.sign_in_as(&again, "p9-match").await, "/record");
    let after = it.counts().await;
    assert_eq!(before[..4], after[..4], "no new account, identity or record");
    let session: serde_json::Value =
        again.get(it.app.url("/api/v1/session")).send().await.unwrap().json().await.unwrap();
    assert_eq!(session["account"]["id"], account.as_str());
    assert_eq!(session["has_record"], true);
}

async fn a_p9_identity_with_no_record_gets_a_new_one_of_its_own(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let records = it.counts().await[2];
    let nia = browser();
    assert_eq!(it.sign_in_as(&nia, "p9-new").await, "/record");
    assert_eq!(it.counts().await[2], records + 1);
    let mine: MyRecordResponse = nia.get(it.app.url("/api/v1/me/record")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.nhs_number.map(|n| n.as_digits()).as_deref(), Some(NIA));
    assert_eq!((mine.given_name.as_str(), mine.date_of_birth.iso().as_str()), ("Nia", "1990-05-17"));
    assert!(it.app.audit_actions().await.contains(&"nhs_login_record_created".to_owned()));
}

async fn p5_never_claims_a_record(engine: Engine) {
    // Where P5 is accepted: signed in, told plainly, and the record untouched.
    let it = spawn(engine, Setup { accept_p5: true, provider_down: false }).await;
    let records = it.counts().await[2];
    let pat = browser();
    assert_eq!(it.sign_in_as(&pat, "p5").await, "/nhs-login?outcome=not-proven");
    assert_eq!(it.owner_of(MONA).await, None, "P5 shares Mona's NHS number and birth date, and claims nothing");
    assert_eq!(it.counts().await[2], records, "and makes no record");
    assert_eq!(pat.get(it.app.url("/api/v1/me/record")).send().await.unwrap().status(), 404);

    // Where it is not: NHS login cannot meet the P9 vectors, and nothing is made.
    let it = spawn(engine, P9_ONLY).await;
    let before = it.counts().await;
    assert_eq!(it.sign_in_as(&browser(), "p5").await, "/nhs-login?outcome=declined");
    assert_eq!(it.counts().await, before);
}

async fn an_excluded_record_is_never_claimed_and_the_sign_up_is_held(engine: Engine) {
    let it = spawn(engine, P9_ONLY).await;
    let ezra = browser();
    assert_eq!(it.sign_in_as(&ezra, "p9-excluded").await, "/nhs-login?outcome=held");
    assert_eq!(it.owner_of(EZRA).await, None);
    assert_eq!(ezra.get(it.app.url("/api/v1/me/record")).send().await.unwrap().status(), 404);
    assert!(it.app.audit_actions().await.contains(&"nhs_login_sign_up_held".to_owned()));
    // The Cardiology Clinic's safeguarding lead is told, with no name or number.
    let told: Vec<(String, String)> = sqlx::query_as(
        "SELECT to_address, body_text FROM outbox WHERE subject LIKE 'A sign-up is waiting for review%'",
    )
    .fetch_all(&it.app.db.pool)
    .await
    .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "morgan.reid@demo.portico.example");
    assert!(!told[0].1.contains("Exley") && !told[0].1.contains(EZRA));
    // …and the sign-up waits in the team's queue, where staff decide it.
    let queued = || async {
        sqlx::query_as::<_, (String, String, Option<String>, String, String)>(
            "SELECT t.slug, s.source, s.identity_level, s.held_because, s.state FROM sign_ups s \
             JOIN teams t ON t.id = s.team_id",
        )
        .fetch_all(&it.app.db.pool)
        .await
        .unwrap()
    };
    let waiting = [(
        "cardiology".to_owned(),
        "nhs_login".to_owned(),
        Some("P9".to_owned()),
        "excluded_record".to_owned(),
        "waiting".to_owned(),
    )];
    assert_eq!(queued().await, waiting);

    // Back again while the exclusion stands: held again, staff not told twice.
    assert_eq!(it.sign_in_as(&browser(), "p9-excluded").await, "/nhs-login?outcome=held");
    assert_eq!(it.owner_of(EZRA).await, None);
    let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'A sign-up is waiting%'")
        .fetch_one(&it.app.db.pool)
        .await
        .unwrap();
    assert_eq!(emails, 1);
    assert_eq!(queued().await, waiting, "still one sign-up waiting");
}

crate::on_both_engines!(
    a_p9_identity_claims_the_record_its_nhs_number_and_birth_date_match,
    a_returning_identity_is_found_by_its_sub_not_its_email,
    a_p9_identity_with_no_record_gets_a_new_one_of_its_own,
    p5_never_claims_a_record,
    an_excluded_record_is_never_claimed_and_the_sign_up_is_held,
);

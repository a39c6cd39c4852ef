//! The batched upsert gives what one-by-one upserts in the same order give:
//! the same outcomes, the same records, the same history, whatever mix of
//! new, known, repeated, unnumbered and stale patients a batch holds.

use portico_server::db::{Db, Engine};
use portico_server::records::details::PatientDetails;
use portico_server::records::store::{ChangedBy, Outcome, UpsertError, upsert_patient, upsert_patients};
use portico_types::{DateOfBirth, NhsNumber, Postcode};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::helpers::spawn_app;
use crate::on_both_engines;

fn person(nhs: Option<u32>, given: &str, dob: &str) -> PatientDetails {
    PatientDetails {
        nhs_number: nhs.map(|stem| (stem..).find_map(NhsNumber::from_stem).unwrap()),
        given_name: given.into(),
        family_name: "Bulk".into(),
        date_of_birth: DateOfBirth::from_stored(dob).unwrap(),
        email: None,
        mobile: None,
        address_lines: vec!["1 Test Street".into()],
        postcode: Some(Postcode::parse("LS1 4AP").unwrap()),
        gp_ods_code: None,
    }
}

/// Before the batch: a numbered record, an unnumbered one, and one with a later source time.
fn before() -> Vec<(PatientDetails, Option<OffsetDateTime>)> {
    vec![
        (person(Some(999_600_000), "Known", "1970-01-01"), None),
        (person(None, "Unnumbered", "1980-02-02"), None),
        (person(Some(999_600_100), "Recent", "1990-03-03"), Some(datetime!(2026-11-20 12:00 UTC))),
    ]
}

/// The batch: every case at once.
fn batch() -> Vec<(PatientDetails, Option<OffsetDateTime>)> {
    vec![
        (person(Some(999_600_200), "New", "2000-04-04"), None),
        (person(Some(999_600_000), "Known", "1970-01-01"), None), // unchanged
        (person(Some(999_600_000), "Known-Renamed", "1970-01-01"), None), // repeat: updates
        (person(Some(999_600_300), "Unnumbered", "1980-02-02"), None), // gains the number
        (person(Some(999_600_100), "Older", "1990-03-03"), Some(datetime!(2026-11-01 12:00 UTC))), // stale
        (person(None, "Fresh", "2010-05-05"), None),
        (person(Some(999_600_200), "New", "2000-04-04"), None), // repeat of the first: unchanged
    ]
}

async fn team(db: &Db) -> String {
    sqlx::query_scalar("SELECT id FROM teams ORDER BY slug LIMIT 1").fetch_one(&db.pool).await.unwrap()
}

async fn apply(db: &Db, patients: &[(PatientDetails, Option<OffsetDateTime>)], bulk: bool) -> Vec<Outcome> {
    let team = team(db).await;
    let by = ChangedBy("test".into());
    let now = datetime!(2026-11-25 10:00 UTC);
    let mut tx = db.begin_write().await.unwrap();
    let outcomes = if bulk {
        let incoming: Vec<_> = patients.iter().map(|(d, at)| (d, *at)).collect();
        let answers = upsert_patients(&mut tx, db.engine, &team, &incoming, &by, now).await.unwrap();
        answers.into_iter().map(|a| a.unwrap().outcome).collect()
    } else {
        let mut outcomes = Vec::new();
        for (details, at) in patients {
            outcomes.push(upsert_patient(&mut tx, db.engine, &team, details, *at, &by, now).await.unwrap().outcome);
        }
        outcomes
    };
    tx.commit().await.unwrap();
    outcomes
}

/// What the records of the batch look like afterwards, without their ids.
async fn records(db: &Db) -> Vec<(Option<String>, String, i64, i64)> {
    sqlx::query_as(
        "SELECT r.nhs_number, r.given_name, r.version, \
         (SELECT COUNT(*) FROM record_versions v WHERE v.record_id = r.id) \
         FROM records r WHERE r.family_name = 'Bulk' ORDER BY r.given_name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn batched_upserts_match_one_by_one(engine: Engine) {
    let (one, many) = (spawn_app(engine).await, spawn_app(engine).await);
    for app in [&one, &many] {
        apply(&app.db, &before(), false).await;
    }
    let one_by_one = apply(&one.db, &batch(), false).await;
    let batched = apply(&many.db, &batch(), true).await;
    use Outcome::*;
    assert_eq!(one_by_one, [Created, Unchanged, Updated, Updated, Stale, Created, Unchanged]);
    assert_eq!(batched, one_by_one);
    assert_eq!(records(&many.db).await, records(&one.db).await);
    // Again: what is already so is unchanged; the two versions of "Known"
    // inside the batch still apply in batch order, so the last one wins.
    let again = apply(&many.db, &batch(), true).await;
    assert_eq!(again, [Unchanged, Updated, Updated, Unchanged, Stale, Unchanged, Unchanged]);
    assert_eq!(records(&many.db).await.iter().filter(|r| r.1 == "Known-Renamed").count(), 1);
}

async fn a_batch_of_only_numbered_patients_takes_the_fast_way_and_links_the_team(engine: Engine) {
    let app = spawn_app(engine).await;
    let patients: Vec<_> =
        (0..2_500).map(|i| (person(Some(999_700_000 + i * 10), "Many", "1960-06-06"), None)).collect();
    let outcomes = apply(&app.db, &patients, true).await;
    assert!(outcomes.iter().all(|o| *o == Outcome::Created));
    let linked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM team_records tr JOIN records r ON r.id = tr.record_id WHERE r.given_name = 'Many'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(linked, 2_500);
}

async fn an_ambiguous_patient_is_refused_alone(engine: Engine) {
    let app = spawn_app(engine).await;
    let twin = person(None, "Twin", "1975-07-07");
    // Two unnumbered records with the same details (sent as two separate creates).
    let team = team(&app.db).await;
    let mut tx = app.db.begin_write().await.unwrap();
    for _ in 0..2 {
        let mut other = twin.clone();
        other.nhs_number = None;
        sqlx::query(
            "INSERT INTO records (id, given_name, family_name, search_name, date_of_birth, postcode, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&other.given_name)
        .bind(&other.family_name)
        .bind(other.search_name())
        .bind(other.date_of_birth.iso())
        .bind("LS1 4AP")
        .bind("2026-11-25T09:00:00.000000Z")
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO team_records (team_id, record_id, added_at) SELECT $1, id, $2 FROM records WHERE given_name = 'Twin'",
    )
    .bind(&team)
    .bind("2026-11-25T09:00:00.000000Z")
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let batch = [(&twin, None), (&person(Some(999_800_000), "Other", "1985-08-08"), None)];
    let mut tx = app.db.begin_write().await.unwrap();
    let answers = upsert_patients(
        &mut tx,
        app.db.engine,
        &team,
        &batch,
        &ChangedBy("test".into()),
        datetime!(2026-11-25 10:00 UTC),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(answers[0], Err(UpsertError::Ambiguous)));
    assert_eq!(answers[1].as_ref().unwrap().outcome, Outcome::Created);
}

on_both_engines!(
    batched_upserts_match_one_by_one,
    a_batch_of_only_numbered_patients_takes_the_fast_way_and_links_the_team,
    an_ambiguous_patient_is_refused_alone,
);

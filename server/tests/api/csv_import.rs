//! CSV upload of patients: a team admin uploads, previews every bad row,
//! commits (all or nothing) or discards; the same file twice changes
//! nothing; a newer version updates the record and keeps its history; bad
//! files of every kind are refused up front with what to do.

use std::time::Duration;

use portico_server::clock::Clock as _;
use portico_server::db::Engine;
use portico_types::NhsNumber;
use portico_types::api::{CsvImportView, TeamSummary};
use reqwest::{Client, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::helpers::{ASHA, DEMO_PASSWORD, SAM, TestApp, browser, other_organisation_professional, problem, spawn_app};

const HEADER: &str = "nhs_number,given_name,family_name,date_of_birth,email,mobile,address_line_1,postcode\n";

/// A valid test NHS number (999 range), the `n`th from a stem no demo patient uses.
fn nhs(n: u32) -> String {
    (999_700_000 + n * 7..).find_map(NhsNumber::from_stem).unwrap().as_digits()
}

/// A good row for patient `n`.
fn row(n: u32, family: &str) -> String {
    format!(
        "{},Pat{n},{family},1980-01-{:02},pat{n}@example.com,07700 900{:03},{n} Park Row,LS1 5AB\n",
        nhs(n),
        1 + n % 28,
        n % 1000
    )
}

fn file(rows: impl IntoIterator<Item = String>) -> String {
    let mut text = HEADER.to_owned();
    text.extend(rows);
    text
}

/// Asha, admin (and clinician) of the Diabetes Clinic, signed in; her team.
async fn admin(app: &TestApp) -> TeamSummary {
    app.signed_in(ASHA).await;
    app.teams().await.teams.into_iter().find(|t| t.slug == "diabetes").unwrap()
}

fn imports_url(app: &TestApp, team: &TeamSummary) -> String {
    app.url(&format!("/api/v1/staff/teams/{}/imports", team.id))
}

async fn upload_as(client: &Client, app: &TestApp, team: &TeamSummary, body: impl Into<reqwest::Body>) -> Response {
    client
        .post(imports_url(app, team))
        .query(&[("file_name", "patients.csv")])
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn upload(app: &TestApp, team: &TeamSummary, body: impl Into<reqwest::Body>) -> Response {
    upload_as(&app.client, app, team, body).await
}

/// Uploads `body` and expects a preview.
async fn previewed(app: &TestApp, team: &TeamSummary, body: impl Into<reqwest::Body>) -> CsvImportView {
    let response = upload(app, team, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn show(app: &TestApp, team: &TeamSummary, id: &str, page: u32) -> CsvImportView {
    let response = app.get(&format!("/api/v1/staff/teams/{}/imports/{id}?page={page}", team.id)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn commit(app: &TestApp, team: &TeamSummary, id: &str) -> Response {
    app.client.post(format!("{}/{id}/commit", imports_url(app, team))).send().await.unwrap()
}

/// Asks for the commit and waits for it to end, as the page does.
async fn committed(app: &TestApp, team: &TeamSummary, id: &str) -> CsvImportView {
    let response = commit(app, team, id).await;
    assert_eq!(response.status(), 202);
    let accepted: CsvImportView = response.json().await.unwrap();
    assert_eq!(accepted.state, "committing");
    for _ in 0..600 {
        let view = show(app, team, id, 1).await;
        if view.state != "committing" {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the commit did not end");
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&app.db.pool).await.unwrap()
}

async fn in_team(app: &TestApp, team: &TeamSummary, nhs: &str) -> bool {
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records r JOIN team_records tr ON tr.record_id = r.id \
         WHERE r.nhs_number = $1 AND tr.team_id = $2",
    )
    .bind(nhs)
    .bind(&team.id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    found == 1
}

fn problems_of(view: &CsvImportView) -> Vec<(u32, Option<&str>, &str)> {
    view.problems.iter().map(|p| (p.row, p.column.as_deref(), p.message.as_str())).collect()
}

async fn good_and_bad_rows_are_previewed_then_the_good_committed(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let body = file([
        row(1, "Ames"),
        "1234567890,Bad,Number,1980-01-01,,,,\n".to_owned(),
        row(3, "Cole"),
        format!("{},Bad,Date,31/02/1980,,,,\n", nhs(4)),
        row(5, "Dunn"),
        row(5, "Dunn-Again"),
        "\n".to_owned(),
        format!("{},Short,Row,1980-01-01\n", nhs(8)),
        format!("{},Future,Born,2027-01-01,not-an-email,01132 496000,,XX1\n", nhs(9)),
    ]);
    let preview = previewed(&app, &team, body).await;
    assert_eq!(preview.state, "ready");
    assert_eq!(preview.file_name, "patients.csv");
    assert_eq!((preview.rows, preview.good_rows, preview.bad_rows), (8, 2, 6), "the blank line is not a patient");
    assert_eq!(
        problems_of(&preview),
        [
            (3, Some("nhs_number"), "Enter a valid NHS number: check the digits"),
            (5, Some("date_of_birth"), "Date of birth must be a real date"),
            (6, Some("nhs_number"), "The same NHS number is also on row 7. Keep one row for each patient."),
            (7, Some("nhs_number"), "The same NHS number is also on row 6. Keep one row for each patient."),
            (
                9,
                None,
                "The row has 4 values but the header row has 8 columns. Check for a missing value or an extra comma."
            ),
            (10, Some("date_of_birth"), "Date of birth must be in the past"),
            (10, Some("email"), "Enter an email address in the correct format, like name@example.com"),
            (10, Some("mobile"), "Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982"),
            (10, Some("postcode"), "Enter a real postcode, like LS1 4AP"),
        ]
    );
    assert_eq!(preview.problems_total, 9);
    assert!(preview.result.is_none());
    // Nothing is in the records until the commit.
    assert!(!in_team(&app, &team, &nhs(1)).await);

    let done = committed(&app, &team, &preview.id).await;
    assert_eq!(done.state, "committed");
    let result = done.result.clone().unwrap();
    assert_eq!((result.created, result.updated, result.unchanged), (2, 0, 0));
    assert_eq!(done.problems_total, 9, "the bad rows are still reported");
    assert!(in_team(&app, &team, &nhs(1)).await && in_team(&app, &team, &nhs(3)).await);
    for bad in [nhs(4), nhs(5), nhs(8), nhs(9)] {
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM records WHERE nhs_number = '{bad}'")).await, 0);
    }
    let email: String = sqlx::query_scalar("SELECT email FROM records WHERE nhs_number = $1")
        .bind(nhs(1))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(email, "pat1@example.com");
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"csv_import_uploaded".to_owned()) && actions.contains(&"csv_import_committed".to_owned())
    );
    // The staged rows are gone once committed; a second commit is refused.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM csv_import_batches").await, 0);
    assert_eq!(commit(&app, &team, &preview.id).await.status(), 409);
}

async fn the_same_file_twice_changes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let body = file((1..=30).map(|n| row(n, "Same")));
    let first = previewed(&app, &team, body.clone()).await;
    assert_eq!(first.same_file_committed_at, None);
    assert_eq!(committed(&app, &team, &first.id).await.result.unwrap().created, 30);
    let records = count(&app, "SELECT COUNT(*) FROM records").await;
    let versions = count(&app, "SELECT COUNT(*) FROM record_versions").await;

    app.clock.advance(time::Duration::minutes(5));
    let again = previewed(&app, &team, body).await;
    assert!(again.same_file_committed_at.is_some(), "the preview says this file was imported before");
    let result = committed(&app, &team, &again.id).await.result.unwrap();
    assert_eq!((result.created, result.updated, result.unchanged), (0, 0, 30));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM records").await, records);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM record_versions").await, versions);
}

async fn a_newer_version_updates_the_record_and_keeps_history(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let session = app.signed_in(ASHA).await;
    let first = previewed(&app, &team, file([row(1, "Hughes"), row(2, "Price")])).await;
    committed(&app, &team, &first.id).await;

    app.clock.advance(time::Duration::minutes(10));
    let second = previewed(&app, &team, file([row(1, "Hughes-Pryce"), row(2, "Price")])).await;
    let result = committed(&app, &team, &second.id).await.result.unwrap();
    assert_eq!((result.created, result.updated, result.unchanged), (0, 1, 1));

    let history: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT v.version, v.changed_by, v.snapshot FROM record_versions v JOIN records r ON r.id = v.record_id \
         WHERE r.nhs_number = $1 ORDER BY v.version",
    )
    .bind(nhs(1))
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].2.contains("\"Hughes\"") && history[1].2.contains("\"Hughes-Pryce\""));
    assert!(history.iter().all(|(_, by, _)| *by == format!("csv:{}", session.account.id)));
    let version: i64 = sqlx::query_scalar("SELECT version FROM records WHERE nhs_number = $1")
        .bind(nhs(1))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(version, 2);
}

/// A trigger that fails the insert of one patient, as a database failure would.
async fn fail_on_family_name(app: &TestApp, engine: Engine, name: &str) {
    let statements = match engine {
        Engine::Sqlite => vec![format!(
            "CREATE TRIGGER fail_import BEFORE INSERT ON records WHEN NEW.family_name = '{name}' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        Engine::Postgres => vec![
            format!(
                "CREATE FUNCTION fail_import() RETURNS trigger AS $$ BEGIN \
                 IF NEW.family_name = '{name}' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER fail_import BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION fail_import()".into(),
        ],
    };
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&app.db.pool).await.unwrap();
    }
}

async fn a_commit_that_fails_half_way_writes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    // An update of an existing patient early in the file, then new patients:
    // the 250th fails, after the first 249 have been written in the transaction.
    let before = previewed(&app, &team, file([row(1, "Original")])).await;
    committed(&app, &team, &before.id).await;
    let records = count(&app, "SELECT COUNT(*) FROM records").await;
    let versions = count(&app, "SELECT COUNT(*) FROM record_versions").await;
    let events = app.audit_actions().await.len();
    fail_on_family_name(&app, engine, "Explode").await;

    app.clock.advance(time::Duration::minutes(1));
    let rows = (1..=300).map(|n| match n {
        1 => row(1, "Changed"),
        250 => row(250, "Explode"),
        n => row(n, "Fine"),
    });
    let preview = previewed(&app, &team, file(rows)).await;
    let failed = committed(&app, &team, &preview.id).await;
    assert_eq!(failed.state, "ready", "the import is still waiting");
    assert!(failed.commit_error.as_deref().unwrap().contains("Nothing was imported"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM records").await, records);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM record_versions").await, versions);
    let family: String = sqlx::query_scalar("SELECT family_name FROM records WHERE nhs_number = $1")
        .bind(nhs(1))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(family, "Original");
    assert_eq!(app.audit_actions().await.len(), events + 1, "only the upload is in the audit log");

    // Once the cause is gone, the same import commits in full.
    sqlx::query("DROP TRIGGER fail_import ON records").execute(&app.db.pool).await.ok();
    sqlx::query("DROP TRIGGER IF EXISTS fail_import").execute(&app.db.pool).await.ok();
    let done = committed(&app, &team, &preview.id).await;
    let result = done.result.unwrap();
    assert_eq!((result.created, result.updated), (299, 1));
}

async fn wrong_encodings_are_refused_with_the_line_and_what_to_do(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let mut latin1 = file([row(1, "Ames"), row(2, "Bell")]).into_bytes();
    latin1.extend_from_slice(format!("{},Zo\u{eb},Cole,1980-01-01,,,,\n", nhs(3)).as_bytes());
    // "ë" as Windows-1252 writes it: one byte, not UTF-8.
    let at = latin1.windows(2).position(|w| w == "ë".as_bytes()).unwrap();
    latin1.splice(at..at + 2, [0xEB]);
    let refused = problem(upload(&app, &team, latin1).await).await;
    assert_eq!(refused["status"], 422);
    assert_eq!(refused["type"], "csv-encoding");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert_eq!(refused["errors"][0]["field"], "file");
    assert!(message.starts_with("Line 4 has a character that is not UTF-8"), "{message}");
    assert!(message.contains("CSV UTF-8 (Comma delimited)"), "{message}");

    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(file([row(1, "Ames")]).encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let refused = problem(upload(&app, &team, utf16).await).await;
    assert_eq!(refused["type"], "csv-encoding");
    assert!(refused["detail"].as_str().unwrap().contains("UTF-16"));

    // A UTF-8 byte order mark (Excel's "CSV UTF-8") is fine.
    let with_bom = format!("\u{feff}{}", file([row(1, "Ames")]));
    assert_eq!(previewed(&app, &team, with_bom).await.good_rows, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM csv_imports").await, 1, "refused files leave nothing behind");
}

async fn missing_and_unknown_columns_are_refused_up_front(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let body = format!("NHS Number,Given Name,Family Name,Notes\n{},Ann,Lee,likes tea\n", nhs(1));
    let refused = problem(upload(&app, &team, body).await).await;
    assert_eq!(refused["status"], 422);
    assert_eq!(refused["type"], "csv-columns");
    let messages: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("Column D, “Notes”, is not a column Portico reads"), "{messages:?}");
    assert!(messages[1].contains("no date_of_birth column"), "{messages:?}");

    // Case and spaces in the header do not matter; an extra column does.
    let loose = format!("NHS NUMBER, given name ,Family-Name,Date of Birth\n{},Ann,Lee,01/02/1980\n", nhs(1));
    assert_eq!(previewed(&app, &team, loose).await.good_rows, 1);
    let extra = format!("{}extra\n", HEADER.trim_end().to_owned() + ",");
    let refused = problem(upload(&app, &team, extra).await).await;
    assert_eq!(refused["type"], "csv-columns");

    let refused = problem(upload(&app, &team, "").await).await;
    assert_eq!(refused["type"], "csv-empty");
    let refused = problem(upload(&app, &team, HEADER).await).await;
    assert_eq!(refused["type"], "csv-empty");
    assert!(refused["detail"].as_str().unwrap().contains("no patients"));
}

/// The session cookie of a fresh sign-in as Asha, to speak HTTP by hand
/// (a client would refuse to send a body that does not match its length).
async fn session_cookie(app: &TestApp) -> String {
    let response = app.sign_in_as(&browser(), ASHA, DEMO_PASSWORD).await;
    response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// Sends `head` and then `body` (until the server stops taking it) on a
/// connection of its own, and returns what the server answered.
async fn answer_to_raw(app: &TestApp, head: String, body: Vec<Vec<u8>>) -> String {
    let host = app.base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let (mut reading, mut writing) = stream.into_split();
    let sending = tokio::spawn(async move {
        writing.write_all(head.as_bytes()).await.unwrap();
        for chunk in body {
            if writing.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains("Split it into smaller files") {
            match reading.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    sending.abort();
    assert!(read.is_ok(), "no answer: {}", String::from_utf8_lossy(&answer));
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_two_gigabyte_upload_is_refused_before_it_is_sent(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let cookie = session_cookie(&app).await;
    let head = |length: &str| {
        format!(
            "POST /api/v1/staff/teams/{}/imports?file_name=huge.csv HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\
             x-portico-csrf: 1\r\nContent-Type: text/csv\r\n{length}\r\n",
            team.id,
            app.base.trim_start_matches("http://"),
        )
    };
    // Says 2 GiB, sends a few bytes: the answer comes without waiting for the rest.
    let started = std::time::Instant::now();
    let answer = answer_to_raw(&app, head("Content-Length: 2147483648\r\n"), vec![HEADER.as_bytes().to_vec()]).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("The file must be 256 MB or smaller. Split it into smaller files"), "{answer}");

    // Says nothing of its length (chunked) and streams on: cut off at the limit.
    let mut chunk = format!("{:x}\r\n", 1 << 20).into_bytes();
    chunk.extend(std::iter::repeat_n(b'a', 1 << 20));
    chunk.extend_from_slice(b"\r\n");
    let answer = answer_to_raw(&app, head("Transfer-Encoding: chunked\r\n"), vec![chunk; 300]).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM csv_imports").await, 0);
}

async fn only_the_teams_admin_may_upload_see_or_commit(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let preview = previewed(&app, &team, file([row(1, "Ames")])).await;
    let body = file([row(2, "Bell")]);

    // Sam is a receptionist of the team: not an admin.
    let sam = browser();
    app.sign_in_as(&sam, SAM, DEMO_PASSWORD).await;
    assert_eq!(upload_as(&sam, &app, &team, body.clone()).await.status(), 403);
    let show_url = format!("{}/{}", imports_url(&app, &team), preview.id);
    assert_eq!(sam.get(&show_url).send().await.unwrap().status(), 403);
    assert_eq!(sam.post(format!("{show_url}/commit")).send().await.unwrap().status(), 403);
    assert_eq!(sam.delete(&show_url).send().await.unwrap().status(), 403);

    // Jordan is an admin, of another team: this one does not exist for him.
    let jordan = browser();
    app.sign_in_as(&jordan, "jordan.hughes@demo.portico.example", DEMO_PASSWORD).await;
    assert_eq!(upload_as(&jordan, &app, &team, body.clone()).await.status(), 404);
    assert_eq!(jordan.get(&show_url).send().await.unwrap().status(), 404);
    assert_eq!(jordan.post(format!("{show_url}/commit")).send().await.unwrap().status(), 404);

    let casey = browser();
    app.sign_in_as(&casey, &other_organisation_professional(&app).await, DEMO_PASSWORD).await;
    assert_eq!(upload_as(&casey, &app, &team, body.clone()).await.status(), 404);

    // Not signed in; and a script on another site cannot send the header.
    assert_eq!(upload_as(&Client::new(), &app, &team, body.clone()).await.status(), 403);
    let no_session = reqwest::Client::builder().default_headers(browser_headers()).build().unwrap();
    assert_eq!(upload_as(&no_session, &app, &team, body).await.status(), 401);

    // The import of one team is not reachable through another.
    let jordans: Value = jordan.get(app.url("/api/v1/staff/teams")).send().await.unwrap().json().await.unwrap();
    let respiratory = jordans["teams"][0]["id"].as_str().unwrap();
    let elsewhere = app.url(&format!("/api/v1/staff/teams/{respiratory}/imports/{}", preview.id));
    assert_eq!(jordan.get(&elsewhere).send().await.unwrap().status(), 404);
    assert_eq!(jordan.post(format!("{elsewhere}/commit")).send().await.unwrap().status(), 404);
    assert_eq!(show(&app, &team, &preview.id, 1).await.state, "ready");
}

fn browser_headers() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-portico-csrf", reqwest::header::HeaderValue::from_static("1"));
    headers
}

async fn discarded_and_expired_imports_cannot_be_committed(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let first = previewed(&app, &team, file([row(1, "Ames")])).await;
    let url = format!("{}/{}", imports_url(&app, &team), first.id);
    assert_eq!(app.client.delete(&url).send().await.unwrap().status(), 204);
    assert_eq!(show(&app, &team, &first.id, 1).await.state, "discarded");
    assert_eq!(commit(&app, &team, &first.id).await.status(), 409);
    assert_eq!(app.client.delete(&url).send().await.unwrap().status(), 409);
    assert!(app.audit_actions().await.contains(&"csv_import_discarded".to_owned()));

    let second = previewed(&app, &team, file([row(2, "Bell"), "x,Bad,Row,1980-01-01,,,,\n".to_owned()])).await;
    app.clock.advance(time::Duration::hours(25));
    app.signed_in(ASHA).await;
    assert_eq!(show(&app, &team, &second.id, 1).await.state, "expired");
    let refused = problem(commit(&app, &team, &second.id).await).await;
    assert_eq!(refused["status"], 410);
    assert!(refused["detail"].as_str().unwrap().contains("Upload the file again"));
    // The sweep drops what an expired import held.
    let expired = portico_server::feeds::csv::imports::sweep_expired(&app.db, app.clock.now()).await.unwrap();
    assert_eq!(expired, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM csv_import_batches").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM csv_import_problems").await, 0);
    assert!(!in_team(&app, &team, &nhs(2)).await);
}

async fn an_older_upload_cannot_undo_a_newer_one(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let older = previewed(&app, &team, file([row(1, "Old")])).await;
    app.clock.advance(time::Duration::minutes(1));
    let newer = previewed(&app, &team, file([row(1, "New")])).await;
    committed(&app, &team, &newer.id).await;
    let refused = problem(commit(&app, &team, &older.id).await).await;
    assert_eq!(refused["status"], 409);
    assert!(refused["detail"].as_str().unwrap().contains("would undo its changes"));
    let family: String = sqlx::query_scalar("SELECT family_name FROM records WHERE nhs_number = $1")
        .bind(nhs(1))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(family, "New");
}

async fn two_commits_of_one_import_make_one(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let preview = previewed(&app, &team, file((1..=50).map(|n| row(n, "Twice")))).await;
    let (a, b) = tokio::join!(commit(&app, &team, &preview.id), commit(&app, &team, &preview.id));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409]);
    let mut done = show(&app, &team, &preview.id, 1).await;
    while done.state == "committing" {
        tokio::time::sleep(Duration::from_millis(50)).await;
        done = show(&app, &team, &preview.id, 1).await;
    }
    assert_eq!(done.result.unwrap().created, 50);
    // The rows' versions only (the demo patient has a CSV version of its own).
    let versions = "SELECT COUNT(*) FROM record_versions v JOIN records r ON r.id = v.record_id \
                    WHERE v.changed_by LIKE 'csv:%' AND r.family_name = 'Twice'";
    assert_eq!(count(&app, versions).await, 50);
}

async fn many_problems_come_in_pages(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let preview = previewed(&app, &team, file((1..=120).map(|n| format!("{},P,Q,1980-13-01,,,,\n", nhs(n))))).await;
    assert_eq!((preview.bad_rows, preview.problems_total), (120, 120));
    assert_eq!((preview.problems.len(), preview.page_size), (50, 50));
    let last = show(&app, &team, &preview.id, 3).await;
    assert_eq!(last.problems.len(), 20);
    assert_eq!(last.problems[0].row, 102);
    let bad_page = app.get(&format!("/api/v1/staff/teams/{}/imports/{}?page=0", team.id, preview.id)).await;
    assert_eq!(problem(bad_page).await["errors"][0]["field"], "page");
}

async fn rows_without_nhs_numbers_match_on_name_birth_date_and_postcode(engine: Engine) {
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let without = |family: &str| format!(",Nia,{family},1975-05-05,nia@example.com,,1 Elm St,LS2 7AA\n");
    let first = previewed(&app, &team, file([without("Rees")])).await;
    assert_eq!(committed(&app, &team, &first.id).await.result.unwrap().created, 1);
    // The same person, now with an NHS number and a new email: the record gains both.
    app.clock.advance(time::Duration::minutes(1));
    let with_number = format!("{},Nia,Rees,1975-05-05,nia.rees@example.com,,1 Elm St,LS2 7AA\n", nhs(40));
    let second = previewed(&app, &team, file([with_number])).await;
    let result = committed(&app, &team, &second.id).await.result.unwrap();
    assert_eq!((result.created, result.updated), (0, 1));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM records WHERE search_name = 'nia rees'").await, 1);
    assert!(in_team(&app, &team, &nhs(40)).await);
}

async fn the_batched_write_stores_what_the_single_upsert_stores(engine: Engine) {
    use portico_server::records::details::PatientDetails;
    use portico_server::records::store::{ChangedBy, upsert_patient};
    let app = spawn_app(engine).await;
    let team = admin(&app).await;
    let session = app.signed_in(ASHA).await;
    let preview = previewed(&app, &team, file([row(1, "Same")])).await;
    committed(&app, &team, &preview.id).await;

    let snapshot: String = sqlx::query_scalar(
        "SELECT v.snapshot FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.nhs_number = $1",
    )
    .bind(nhs(1))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let mut details: PatientDetails = serde_json::from_str(&snapshot).unwrap();
    details.nhs_number = Some(NhsNumber::parse(&nhs(2)).unwrap());
    let mut tx = app.db.begin_write().await.unwrap();
    let by = ChangedBy(format!("csv:{}", session.account.id));
    upsert_patient(&mut tx, app.db.engine, &team.id, &details, None, &by, app.clock.now()).await.unwrap();
    tx.commit().await.unwrap();

    type Names = (String, String, String, String, Option<String>, Option<String>);
    type Rest = (Option<String>, Option<String>, Option<String>, i64, Option<String>, String, String);
    let read = |nhs: String| {
        let pool = app.db.pool.clone();
        async move {
            let names: Names = sqlx::query_as(
                "SELECT given_name, family_name, search_name, date_of_birth, email, mobile FROM records \
                 WHERE nhs_number = $1",
            )
            .bind(&nhs)
            .fetch_one(&pool)
            .await
            .unwrap();
            let rest: Rest = sqlx::query_as(
                "SELECT address_lines, postcode, gp_ods_code, version, source_updated_at, created_at, updated_at \
                 FROM records WHERE nhs_number = $1",
            )
            .bind(&nhs)
            .fetch_one(&pool)
            .await
            .unwrap();
            let version: (i64, String, String) = sqlx::query_as(
                "SELECT v.version, v.changed_at, v.changed_by FROM record_versions v \
                 JOIN records r ON r.id = v.record_id WHERE r.nhs_number = $1",
            )
            .bind(&nhs)
            .fetch_one(&pool)
            .await
            .unwrap();
            (names, rest, version)
        }
    };
    assert_eq!(read(nhs(1)).await, read(nhs(2)).await);
}

crate::on_both_engines!(
    good_and_bad_rows_are_previewed_then_the_good_committed,
    the_same_file_twice_changes_nothing,
    a_newer_version_updates_the_record_and_keeps_history,
    a_commit_that_fails_half_way_writes_nothing,
    wrong_encodings_are_refused_with_the_line_and_what_to_do,
    missing_and_unknown_columns_are_refused_up_front,
    a_two_gigabyte_upload_is_refused_before_it_is_sent,
    only_the_teams_admin_may_upload_see_or_commit,
    discarded_and_expired_imports_cannot_be_committed,
    an_older_upload_cannot_undo_a_newer_one,
    two_commits_of_one_import_make_one,
    many_problems_come_in_pages,
    rows_without_nhs_numbers_match_on_name_birth_date_and_postcode,
    the_batched_write_stores_what_the_single_upsert_stores,
);

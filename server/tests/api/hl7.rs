//! The HL7 v2 feed: real ADT messages sent over MLLP by the PyPI `hl7`
//! package's client (as an integration engine would), the ACKs it reads
//! back, and the records and history they leave; then the listener's limits
//! (framing, size, connections, timeouts, shutdown) with raw TCP.

use std::process::Stdio;
use std::time::Duration;

use portico_server::config::Settings;
use portico_server::db::Engine;
use portico_types::NhsNumber;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{ASHA, DEMO_PASSWORD, Options, TestApp, browser, spawn_app, spawn_app_configured};

/// The feed key the listener is configured with; inserted as a key of the
/// Diabetes Clinic (a key's secret is only ever shown once by the API, so a
/// test that must know it before the server starts makes its own).
const FEED_KEY: &str = "portico_fk_8f3c1d2e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hl7/mllp_send.py");

async fn spawn_hl7(engine: Engine) -> TestApp {
    spawn_hl7_with(engine, |_| {}).await
}

async fn spawn_hl7_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let app = spawn_app_configured(engine, Options { tls_base_url: false }, |settings| {
        settings.mllp.mllp_bind = Some("127.0.0.1:0".parse().unwrap());
        settings.mllp.mllp_feed_key = Some(FEED_KEY.to_owned());
        configure(settings);
    })
    .await;
    let (team_id, organisation_id): (String, String) =
        sqlx::query_as("SELECT id, organisation_id FROM teams WHERE slug = 'diabetes'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let asha: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(ASHA)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO feed_keys (id, organisation_id, team_id, name, key_hash, created_by, created_at) \
         VALUES ('hl7-key', $1, $2, 'Mirth ADT over MLLP', $3, $4, '2026-11-25T09:00:00.000000Z')",
    )
    .bind(organisation_id)
    .bind(team_id)
    .bind(hex::encode(Sha256::digest(FEED_KEY.as_bytes())))
    .bind(asha)
    .execute(&app.db.pool)
    .await
    .unwrap();
    app
}

/// Sends `items` (see mllp_send.py) over one connection; one answer each.
async fn send_items(app: &TestApp, items: Value) -> Vec<Value> {
    let addr = app.mllp_addr.expect("the MLLP listener is on");
    let mut child = tokio::process::Command::new("python3")
        .arg(SCRIPT)
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup --test installs the PyPI hl7 package it needs)");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(items.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "mllp_send.py failed (is PyPI's hl7 installed? scripts/setup --test): {stderr}");
    String::from_utf8(output.stdout).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

async fn send(app: &TestApp, message: &str) -> Value {
    send_items(app, json!([{ "message": message }])).await.remove(0)
}

/// MSA-1, and the ACK's ERR codes.
fn code(ack: &Value) -> (String, Vec<String>) {
    let msa1 = ack["msa"][0].as_str().unwrap_or_default().to_owned();
    let errors = ack["errors"].as_array().into_iter().flatten().map(|e| e["code"].as_str().unwrap().to_owned());
    (msa1, errors.collect())
}

fn nhs(n: u32) -> String {
    (0..).find_map(|i| NhsNumber::from_stem(999_100_000 + n * 10 + i)).unwrap().as_digits()
}

/// An ADT message from the hospital PAS at `time` (UK time, as most senders write it).
fn adt(event: &str, control_id: &str, time: &str, pid: &str) -> String {
    adt_from("PAS", event, control_id, time, pid, "PD1|||Park Surgery^^B86001")
}

fn adt_from(app: &str, event: &str, control_id: &str, time: &str, pid: &str, extra: &str) -> String {
    format!(
        "MSH|^~\\&|{app}|RXX|PORTICO|X26|{time}||ADT^{event}^ADT_A01|{control_id}|P|2.5.1\r\
         EVN|{event}|{time}\rPID|{pid}\r{extra}\r"
    )
}

/// A PID with an NHS number (when given), legal name, birth date, home
/// address, mobile and email.
fn pid(nhs: &str, family: &str, given: &str, dob: &str, postcode: &str) -> String {
    let ids = if nhs.is_empty() { "RXX1^^^RXX^MR".to_owned() } else { format!("RXX1^^^RXX^MR~{nhs}^^^NHS^NH") };
    format!(
        "1||{ids}||{family}^{given}^^^^^L||{dob}|F|||1 Park Row^^Leeds^^{postcode}^GBR^H||\
         ^PRN^CP^^^^^^^^^07700900123~^NET^Internet^{}@example.org",
        given.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase()
    )
}

type Row = (
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

async fn record(app: &TestApp, nhs: &str) -> Row {
    sqlx::query_as(
        "SELECT id, nhs_number, given_name, family_name, date_of_birth, email, mobile, address_lines, postcode, \
         gp_ods_code, version FROM records WHERE nhs_number = $1",
    )
    .bind(nhs)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn history(app: &TestApp, record_id: &str) -> Vec<(i64, String, Value)> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT version, changed_by, snapshot FROM record_versions WHERE record_id = $1 ORDER BY version",
    )
    .bind(record_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(v, by, snapshot)| (v, by, serde_json::from_str(&snapshot).unwrap())).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&app.db.pool).await.unwrap()
}

async fn hl7_audit(app: &TestApp) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT action, record_id, team_id, detail FROM audit_events WHERE action LIKE 'hl7_%' ORDER BY occurred_at, id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn an_a04_creates_the_record_and_its_repeat_changes_nothing(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let number = nhs(1);
    let message = adt("A04", "MSG-1001", "20261120103000", &pid(&number, "Hughes", "Alys", "19800229", "LS1 5AB"));
    let ack = send(&app, &message).await;
    assert_eq!(code(&ack), ("AA".into(), vec![]), "{ack}");
    assert_eq!(ack["msa"][1], "MSG-1001", "MSA-2 echoes MSH-10");
    assert_eq!(ack["msa"][2], "Record created");
    // The ACK's MSH swaps sender and receiver.
    assert_eq!(ack["msh"]["3"], "PORTICO");
    assert_eq!(ack["msh"]["4"], "X26");
    assert_eq!(ack["msh"]["5"], "PAS");
    assert_eq!(ack["msh"]["6"], "RXX");
    assert_eq!(ack["msh"]["9"], "ACK^A04^ACK");
    assert_eq!(ack["msh"]["12"], "2.5.1");
    assert_ne!(ack["msh"]["10"], "MSG-1001", "the ACK has its own control id");

    let (id, stored_nhs, given, family, dob, email, mobile, address, postcode, gp, version) =
        record(&app, &number).await;
    assert_eq!(stored_nhs.as_deref(), Some(number.as_str()));
    assert_eq!((given.as_str(), family.as_str(), dob.as_str()), ("Alys", "Hughes", "1980-02-29"));
    assert_eq!(email.as_deref(), Some("alys@example.org"));
    assert_eq!(mobile.as_deref(), Some("+447700900123"));
    assert_eq!(address.as_deref(), Some("1 Park Row\nLeeds"));
    assert_eq!(postcode.as_deref(), Some("LS1 5AB"));
    assert_eq!(gp.as_deref(), Some("B86001"));
    assert_eq!(version, 1);
    let in_team = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM team_records tr JOIN teams t ON t.id = tr.team_id \
             WHERE t.slug = 'diabetes' AND tr.record_id = '{id}'"
        ),
    )
    .await;
    assert_eq!(in_team, 1, "the record joins the feed key's team");
    let versions = history(&app, &id).await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].1, "hl7:PAS", "who changed it: the sending application");
    let audit = hl7_audit(&app).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "hl7_record_created");
    assert_eq!(audit[0].1.as_deref(), Some(id.as_str()));
    assert!(audit[0].2.is_some(), "the team is named");
    let detail: Value = serde_json::from_str(audit[0].3.as_deref().unwrap()).unwrap();
    assert_eq!(detail["message_control_id"], "MSG-1001");
    assert_eq!(detail["event"], "A04");
    assert_eq!(detail["feed_key_id"], "hl7-key");

    // The same message again (an engine resending after a lost ACK).
    let again = send(&app, &message).await;
    assert_eq!(code(&again), ("AA".into(), vec![]));
    assert_eq!(again["msa"][2], "No change: the record already holds these details");
    assert_eq!(record(&app, &number).await.10, 1);
    assert_eq!(history(&app, &id).await.len(), 1);
    assert_eq!(hl7_audit(&app).await.len(), 1);
    let last_used: Option<String> = sqlx::query_scalar("SELECT last_used_at FROM feed_keys WHERE id = 'hl7-key'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(last_used.is_some());
}

async fn a_newer_message_updates_with_history_and_an_older_one_is_not_applied(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let number = nhs(2);
    let first = adt("A04", "M1", "20261120103000", &pid(&number, "Hughes", "Alys", "19800229", "LS1 5AB"));
    assert_eq!(code(&send(&app, &first).await).0, "AA");
    // Moved house, recorded an hour later; sent by the PAS.
    let moved = adt("A08", "M2", "20261120113000", &pid(&number, "Hughes", "Alys", "19800229", "LS6 2AA"));
    let ack = send(&app, &moved).await;
    assert_eq!(code(&ack), ("AA".into(), vec![]));
    assert_eq!(ack["msa"][2], "Record updated");
    assert_eq!(ack["msh"]["9"], "ACK^A08^ACK");
    let row = record(&app, &number).await;
    assert_eq!((row.8.as_deref(), row.10), (Some("LS6 2AA"), 2));
    // A late message from before the move: not applied, and still AA.
    let late = adt("A08", "M0", "20261120090000", &pid(&number, "Jones", "Alys", "19800229", "LS1 5AB"));
    let ack = send(&app, &late).await;
    assert_eq!(code(&ack), ("AA".into(), vec![]));
    assert_eq!(ack["msa"][2], "Not applied: the record holds newer details");
    let row = record(&app, &number).await;
    assert_eq!((row.3.as_str(), row.8.as_deref(), row.10), ("Hughes", Some("LS6 2AA"), 2));
    // A newer A31 from another system updates again, under its own name.
    let renamed = adt_from(
        "SPINE",
        "A31",
        "M3",
        "20261121090000+0000",
        &pid(&number, "Jones", "Alys", "19800229", "LS6 2AA"),
        "",
    );
    assert_eq!(code(&send(&app, &renamed).await).0, "AA");
    let versions = history(&app, &row.0).await;
    let summary: Vec<(i64, &str, &str, &str)> = versions
        .iter()
        .map(|(v, by, s)| (*v, by.as_str(), s["family_name"].as_str().unwrap(), s["postcode"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "hl7:PAS", "Hughes", "LS1 5AB"),
            (2, "hl7:PAS", "Hughes", "LS6 2AA"),
            (3, "hl7:SPINE", "Jones", "LS6 2AA")
        ]
    );
    let actions: Vec<String> = hl7_audit(&app).await.into_iter().map(|a| a.0).collect();
    assert_eq!(actions, ["hl7_record_created", "hl7_record_updated", "hl7_record_updated"]);
}

async fn every_adt_event_portico_takes_is_applied_and_others_are_rejected(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let items: Vec<Value> = ["A01", "A04", "A05", "A08", "A28", "A31"]
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let number = nhs(10 + u32::try_from(i).unwrap());
            json!({ "message": adt(event, &format!("E{i}"), "20261120103000", &pid(&number, "Evans", "Rhys", "19700101", "CF10 1AA")) })
        })
        .collect();
    let acks = send_items(&app, Value::Array(items)).await;
    for (ack, event) in acks.iter().zip(["A01", "A04", "A05", "A08", "A28", "A31"]) {
        assert_eq!(code(ack), ("AA".into(), vec![]), "{event}: {ack}");
        assert_eq!(ack["msh"]["9"], format!("ACK^{event}^ACK"));
    }
    assert_eq!(hl7_audit(&app).await.len(), 6);

    let patient = pid(&nhs(20), "Evans", "Rhys", "19700101", "CF10 1AA");
    let merge = adt("A40", "X1", "20261120103000", &patient);
    let result = adt("A04", "X2", "20261120103000", &patient).replace("ADT^A04^ADT_A01", "ORU^R01^ORU_R01");
    let training = adt("A04", "X3", "20261120103000", &patient).replace("|X3|P|", "|X3|T|");
    let old_version = adt("A04", "X4", "20261120103000", &patient).replace("|2.5.1\r", "|2.2\r");
    let acks = send_items(
        &app,
        json!([{ "message": merge }, { "message": result }, { "message": training }, { "message": old_version }]),
    )
    .await;
    let codes: Vec<_> = acks.iter().map(code).collect();
    assert_eq!(
        codes,
        [
            ("AR".into(), vec!["201".to_owned()]),
            ("AR".into(), vec!["200".to_owned()]),
            ("AR".into(), vec!["202".to_owned()]),
            ("AR".into(), vec!["203".to_owned()])
        ]
    );
    assert_eq!(acks[0]["msa"][1], "X1");
    assert!(acks[0]["errors"][0]["text"].as_str().unwrap().contains("A01, A04, A05, A08, A28, A31"));
    assert_eq!(acks[1]["msh"]["9"], "ACK^R01^ACK");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM records WHERE nhs_number = '{}'", nhs(20))).await, 0);
}

async fn bad_content_is_answered_ae_naming_the_field_and_nothing_is_stored(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let before = count(&app, "SELECT COUNT(*) FROM records").await;
    let good = nhs(30);
    let mut bad_check_digit = good.clone();
    bad_check_digit.replace_range(9..10, if good.ends_with('0') { "1" } else { "0" });
    let cases = [
        (pid(&bad_check_digit, "Khan", "Aisha", "19900101", "M1 1AE"), "PID^1^3", "102", "check digit"),
        (pid(&good, "Khan", "Aisha", "20230230", "M1 1AE"), "PID^1^7", "102", "real date"),
        (pid(&good, "Khan", "Aisha", "20270101", "M1 1AE"), "PID^1^7", "102", "in the past"),
        (pid(&good, "Khan", "Aisha", "", "M1 1AE"), "PID^1^7", "101", "Enter a date of birth"),
        (pid(&good, "", "Aisha", "19900101", "M1 1AE"), "PID^1^5^1^1", "101", "family name"),
        (pid(&good, "Khan", "Aisha", "19900101", "NOT A POSTCODE"), "PID^1^11^1^5", "102", "postcode"),
        (pid(&good, "Kh\\Zan\\", "Aisha", "19900101", "M1 1AE"), "PID^1^5^1^1", "102", "escape sequence"),
    ];
    for (i, (patient, location, error, says)) in cases.iter().enumerate() {
        let ack = send(&app, &adt("A04", &format!("B{i}"), "20261120103000", patient)).await;
        assert_eq!(code(&ack), ("AE".into(), vec![error.to_string()]), "case {i}: {ack}");
        assert_eq!(ack["msa"][1], format!("B{i}"));
        let err = &ack["errors"][0];
        assert_eq!(err["location"], *location, "case {i}");
        assert_eq!(err["severity"], "E");
        assert!(err["text"].as_str().unwrap().contains(says), "case {i}: {err}");
    }
    // Every problem of one message is listed, not just the first.
    let two =
        send(&app, &adt("A04", "B9", "20261120103000", &pid(&bad_check_digit, "Khan", "Aisha", "20230230", "M1 1AE")))
            .await;
    assert_eq!(code(&two), ("AE".into(), vec!["102".to_owned(), "102".to_owned()]));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM records").await, before);
    assert!(hl7_audit(&app).await.is_empty());
}

async fn unreadable_messages_and_broken_framing_are_refused(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let good = adt("A04", "G1", "20261120103000", &pid(&nhs(40), "Nowak", "Tomasz", "19850505", "B1 1AA"));
    let frame = |bytes: &[u8]| hex::encode([&[0x0b_u8][..], bytes, &[0x1c, 0x0d]].concat());
    let acks = send_items(
        &app,
        json!([
            { "message": "this is not HL7 at all" },
            { "message": "MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|G0|P|2.5\rpid|lower case segment" },
            { "raw_hex": frame(&[b"MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|L1|P|2.5\rPID|1||||Ren\xe9e^A||19800229".as_slice()].concat()) },
            { "raw_hex": frame(b"MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|L2|P|2.5||||||UNICODE UTF-32\rPID|1") },
            { "raw_hex": frame(&[]) },
            { "message": good },
        ]),
    )
    .await;
    assert_eq!(code(&acks[0]).0, "AR", "{}", acks[0]);
    assert_eq!(acks[0]["msa"][1], "", "no MSH-10 to echo");
    assert_eq!(code(&acks[1]).0, "AR");
    assert_eq!(acks[1]["msa"][1], "G0", "the header is still read to address the answer");
    assert_eq!(code(&acks[2]).0, "AR", "Latin-1 bytes without MSH-18");
    assert!(acks[2]["errors"][0]["text"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(code(&acks[3]), ("AR".into(), vec!["103".to_owned()]));
    assert_eq!(code(&acks[4]).0, "AR", "an empty frame");
    assert_eq!(code(&acks[5]).0, "AA", "the connection still works after refusals");

    // Bytes outside a frame, or a frame not ended by CR: the connection is closed unanswered.
    let acks = send_items(
        &app,
        json!([
            { "raw_hex": hex::encode(b"MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|N1|P|2.5\r\x1c\r") },
            { "raw_hex": hex::encode([&[0x0b_u8][..], b"MSH|^~\\&|PAS", &[0x1c, b'X']].concat()) },
            { "raw_hex": hex::encode([&[0x0b_u8][..], b"MSH|^~\\&|PAS", &[0x0b]].concat()) },
            { "message": adt("A08", "G2", "20261120103000", &pid(&nhs(40), "Nowak", "Tomasz", "19850505", "B1 1AA")) },
        ]),
    )
    .await;
    assert_eq!(acks[0], json!({ "closed": true }));
    assert_eq!(acks[1], json!({ "closed": true }));
    assert_eq!(acks[2], json!({ "closed": true }));
    assert_eq!(code(&acks[3]).0, "AA", "a new connection works: {}", acks[3]);
}

async fn a_message_over_the_size_limit_is_refused_and_the_connection_goes_on(engine: Engine) {
    let app = spawn_hl7_with(engine, |s| s.mllp.mllp_max_message_bytes = 64 * 1024).await;
    let patient = pid(&nhs(50), "Green", "Ivy", "19991231", "SW1A 1AA");
    let huge = adt_from("PAS", "A04", "BIG1", "20261120103000", &patient, &format!("NTE|1||{}", "x".repeat(200_000)));
    let acks =
        send_items(&app, json!([{ "message": huge }, { "message": adt("A04", "SMALL1", "20261120103000", &patient) }]))
            .await;
    assert_eq!(code(&acks[0]), ("AR".into(), vec!["207".to_owned()]), "{}", acks[0]);
    assert_eq!(acks[0]["msa"][1], "BIG1", "addressed from the message's first bytes");
    assert!(acks[0]["errors"][0]["text"].as_str().unwrap().contains("at most 65536 bytes"));
    assert_eq!(code(&acks[1]).0, "AA");
    assert_eq!(record(&app, &nhs(50)).await.10, 1, "only the small message was applied");
}

async fn records_without_an_nhs_number_match_on_name_birth_date_and_postcode(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let patient = |email_name: &str| {
        pid("", "Mensah", "Kwame", "19600315", "LS2 9JT").replace("kwame@", &format!("{email_name}@"))
    };
    assert_eq!(code(&send(&app, &adt("A04", "N1", "20261120100000", &patient("kwame"))).await).0, "AA");
    let records = || count(&app, "SELECT COUNT(*) FROM records WHERE search_name = 'kwame mensah'");
    assert_eq!(records().await, 1);
    // The same person, no NHS number, a new email: the same record is updated.
    let ack = send(&app, &adt("A08", "N2", "20261120110000", &patient("k.mensah"))).await;
    assert_eq!(ack["msa"][2], "Record updated");
    assert_eq!(records().await, 1);
    // Now with the NHS number: the record gains it.
    let number = nhs(60);
    let with_number = pid(&number, "Mensah", "Kwame", "19600315", "LS2 9JT").replace("kwame@", "k.mensah@");
    assert_eq!(send(&app, &adt("A08", "N3", "20261120120000", &with_number)).await["msa"][2], "Record updated");
    assert_eq!(records().await, 1);
    assert_eq!(record(&app, &number).await.10, 3);

    // Two records that match without an NHS number: refused, not guessed.
    let twin = pid("", "Walker", "Leo", "20010101", "LS3 1AA");
    assert_eq!(code(&send(&app, &adt("A04", "T1", "20261120100000", &twin)).await).0, "AA");
    let (id, team): (String, String) = sqlx::query_as(
        "SELECT r.id, tr.team_id FROM records r JOIN team_records tr ON tr.record_id = r.id WHERE r.search_name = 'leo walker'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, mobile, \
         address_lines, postcode, gp_ods_code, version, source_updated_at, created_at, updated_at) \
         SELECT 'twin', NULL, given_name, family_name, search_name, date_of_birth, email, mobile, address_lines, \
         postcode, gp_ods_code, 1, source_updated_at, created_at, updated_at FROM records WHERE id = $1",
    )
    .bind(&id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO team_records (team_id, record_id, added_at) VALUES ($1, 'twin', '2026-11-25T09:00:00.000000Z')",
    )
    .bind(&team)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let ack = send(&app, &adt("A08", "T2", "20261120110000", &twin)).await;
    assert_eq!(code(&ack), ("AE".into(), vec!["205".to_owned()]), "{ack}");
    assert!(ack["errors"][0]["text"].as_str().unwrap().contains("send the NHS number"));
}

async fn empty_fields_keep_what_the_record_has_and_null_removes_it(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let number = nhs(70);
    assert_eq!(
        code(
            &send(&app, &adt("A04", "K1", "20261120100000", &pid(&number, "Wright", "Oscar", "19550607", "YO1 7HH")))
                .await
        )
        .0,
        "AA"
    );
    // No PID-11, PID-13 or PD1: nothing to change.
    let bare =
        adt_from("PAS", "A08", "K2", "20261120110000", &format!("1||{number}^^^NHS^NH||Wright^Oscar||19550607"), "");
    assert_eq!(send(&app, &bare).await["msa"][2], "No change: the record already holds these details");
    // PID-13 and PD1-3 sent as "": removed.
    let cleared = adt_from(
        "PAS",
        "A08",
        "K3",
        "20261120120000",
        &format!("1||{number}^^^NHS^NH||Wright^Oscar||19550607||||||\"\""),
        "PD1|||\"\"",
    );
    assert_eq!(send(&app, &cleared).await["msa"][2], "Record updated");
    let (_, _, _, _, _, email, mobile, address, postcode, gp, version) = record(&app, &number).await;
    assert_eq!((email, mobile, gp), (None, None, None));
    assert_eq!((address.as_deref(), postcode.as_deref(), version), (Some("1 Park Row\nLeeds"), Some("YO1 7HH"), 2));
}

async fn names_beyond_ascii_arrive_intact(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let utf8 = pid(&nhs(80), "Ó Briain", "Zoë", "19880808", "BT1 1AA");
    let escaped = pid(&nhs(81), "\\XC3\\\\X93\\ Briain", "Se\\XC3A1\\n", "19880808", "BT1 1AA");
    let latin1 = adt("A04", "U3", "20261120100000", &pid(&nhs(82), "Lefèvre", "Renée", "19880808", "BT1 1AA"))
        .replace("|P|2.5.1\r", "|P|2.5.1||||||8859/1\r");
    let acks = send_items(
        &app,
        json!([
            { "message": adt("A04", "U1", "20261120100000", &utf8) },
            { "message": adt("A04", "U2", "20261120100000", &escaped) },
            { "message": latin1, "encoding": "latin-1" },
        ]),
    )
    .await;
    for ack in &acks {
        assert_eq!(code(ack).0, "AA", "{ack}");
    }
    assert_eq!(acks[2]["msh"]["18"], "8859/1", "the answer says its character set");
    let app = &app;
    let names = |n| async move {
        let row = record(app, &nhs(n)).await;
        (row.2, row.3)
    };
    assert_eq!(names(80).await, ("Zoë".to_owned(), "Ó Briain".to_owned()));
    assert_eq!(names(81).await, ("Seán".to_owned(), "Ó Briain".to_owned()));
    assert_eq!(names(82).await, ("Renée".to_owned(), "Lefèvre".to_owned()));
}

async fn a_revoked_feed_key_stops_the_feed(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let patient = pid(&nhs(90), "Roberts", "Grace", "19770707", "CH1 1AA");
    assert_eq!(code(&send(&app, &adt("A04", "R1", "20261120100000", &patient)).await).0, "AA");
    let admin = browser();
    app.sign_in_as(&admin, ASHA, DEMO_PASSWORD).await;
    let team: String =
        sqlx::query_scalar("SELECT team_id FROM feed_keys WHERE id = 'hl7-key'").fetch_one(&app.db.pool).await.unwrap();
    let revoked = admin.delete(app.url(&format!("/api/v1/staff/teams/{team}/feed-keys/hl7-key"))).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    let ack = send(&app, &adt("A08", "R2", "20261121100000", &patient.replace("Grace", "Gracie"))).await;
    assert_eq!(code(&ack), ("AR".into(), vec!["207".to_owned()]));
    assert!(ack["errors"][0]["text"].as_str().unwrap().contains("no live feed key"));
    assert_eq!(record(&app, &nhs(90)).await.2, "Grace");
}

/// Sends one framed message on a raw connection and reads its framed answer.
async fn exchange(stream: &mut TcpStream, message: &str) -> String {
    stream.write_all(&[&[0x0b_u8][..], message.as_bytes(), &[0x1c, 0x0d]].concat()).await.unwrap();
    read_frame(stream).await
}

async fn read_frame(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !answer.ends_with(&[0x1c, 0x0d]) {
        let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await.unwrap().unwrap();
        assert!(n > 0, "closed before the answer ended");
        answer.extend_from_slice(&buffer[..n]);
    }
    String::from_utf8(answer).unwrap()
}

/// Whether the listener closes `stream` within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 64];
    matches!(tokio::time::timeout(within, stream.read(&mut buffer)).await, Ok(Ok(0) | Err(_)))
}

async fn many_connections_are_served_at_once(engine: Engine) {
    let app = spawn_hl7(engine).await;
    let addr = app.mllp_addr.unwrap();
    let before = count(&app, "SELECT COUNT(*) FROM records").await;
    let senders = (0..16u32).map(|c| {
        tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let mut codes = Vec::new();
            for m in 0..3u32 {
                let number = nhs(1000 + c * 3 + m);
                let message = adt(
                    "A28",
                    &format!("C{c}M{m}"),
                    "20261120100000",
                    &pid(&number, "Thomas", "Harry", "19930303", "NE1 1AA"),
                );
                let ack = exchange(&mut stream, &message).await;
                codes.push(ack.contains(&format!("\rMSA|AA|C{c}M{m}|")));
            }
            codes
        })
    });
    for sender in senders.collect::<Vec<_>>() {
        assert_eq!(sender.await.unwrap(), [true, true, true]);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM records").await, before + 48);
}

async fn connections_beyond_the_limit_and_idle_or_stalled_ones_are_closed(engine: Engine) {
    let app = spawn_hl7_with(engine, |s| {
        s.mllp.mllp_max_connections = 2;
        s.mllp.mllp_idle_timeout_secs = 2;
        s.mllp.mllp_frame_timeout_secs = 1;
    })
    .await;
    let addr = app.mllp_addr.unwrap();
    let message = adt("A04", "L1", "20261120100000", &pid(&nhs(95), "White", "Lily", "20000101", "EX1 1AA"));
    let mut first = TcpStream::connect(addr).await.unwrap();
    assert!(exchange(&mut first, &message).await.contains("MSA|AA|L1"));
    // A message begun and never finished: closed after the frame timeout.
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled.write_all(&[0x0b, b'M', b'S', b'H']).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Both connections in use: a third is closed at once.
    let mut third = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut third, Duration::from_secs(1)).await, "over the connection limit");
    assert!(closed_within(&mut stalled, Duration::from_secs(3)).await, "stalled mid-message");
    // Idle: closed after the idle timeout (it answered a message, then nothing).
    assert!(closed_within(&mut first, Duration::from_secs(4)).await, "idle");
    // With the slots free again, a new connection is served.
    let mut again = TcpStream::connect(addr).await.unwrap();
    assert!(exchange(&mut again, &message.replace("|L1|", "|L2|")).await.contains("MSA|AA|L2"));
}

async fn shutdown_lets_the_message_in_flight_finish(engine: Engine) {
    let mut app = spawn_hl7(engine).await;
    let addr = app.mllp_addr.unwrap();
    let message = adt("A04", "S1", "20261120100000", &pid(&nhs(97), "Edwards", "Freya", "19810101", "CB1 1AA"));
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let mut busy = TcpStream::connect(addr).await.unwrap();
    let (head, tail) = message.split_at(40);
    busy.write_all(&[&[0x0b_u8][..], head.as_bytes()].concat()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(async move {
        app.shut_down().await.unwrap();
        app
    });
    // The idle connection is closed; the one mid-message gets its answer, then is closed.
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await);
    busy.write_all(&[tail.as_bytes(), &[0x1c, 0x0d]].concat()).await.unwrap();
    assert!(read_frame(&mut busy).await.contains("MSA|AA|S1"));
    assert!(closed_within(&mut busy, Duration::from_secs(5)).await);
    let app = tokio::time::timeout(Duration::from_secs(20), stopping).await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "no longer listening");
    assert_eq!(record(&app, &nhs(97)).await.10, 1, "the message was applied");
}

async fn the_listener_is_off_unless_configured(engine: Engine) {
    let app = spawn_app(engine).await;
    assert_eq!(app.mllp_addr, None);
}

crate::on_both_engines!(
    an_a04_creates_the_record_and_its_repeat_changes_nothing,
    a_newer_message_updates_with_history_and_an_older_one_is_not_applied,
    every_adt_event_portico_takes_is_applied_and_others_are_rejected,
    bad_content_is_answered_ae_naming_the_field_and_nothing_is_stored,
    unreadable_messages_and_broken_framing_are_refused,
    a_message_over_the_size_limit_is_refused_and_the_connection_goes_on,
    records_without_an_nhs_number_match_on_name_birth_date_and_postcode,
    empty_fields_keep_what_the_record_has_and_null_removes_it,
    names_beyond_ascii_arrive_intact,
    a_revoked_feed_key_stops_the_feed,
    many_connections_are_served_at_once,
    connections_beyond_the_limit_and_idle_or_stalled_ones_are_closed,
    shutdown_lets_the_message_in_flight_finish,
    the_listener_is_off_unless_configured,
);

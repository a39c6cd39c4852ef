//! The patient and staff journeys the battery runs, through the public API as
//! the browser app calls it, every request timed under the endpoint's name:
//!
//! - registration: a team admin issues a letter invitation for a record, then
//!   the patient gives the code and date of birth, an email address, the
//!   six-digit code from that email (read from the outbox, where the email
//!   waits whether or not it has gone), a password, and reads their record;
//! - a patient's visit: sign in, read the record and the pages around it,
//!   sign out;
//! - a professional's visit: sign in, list teams, search by name and by date
//!   of birth, open a record, sign out.
//!
//! Each person is one client (one cookie jar). With several instances a
//! journey's steps go to them in turn, so every step finds the state the step
//! before left on another instance.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_server::demo::{DEMO_PASSWORD, PROFESSIONALS};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

use crate::server::CSRF;
use crate::totp;

/// The password registered patients choose.
pub const PATIENT_PASSWORD: &str = "battery correct horse staple";

/// One request: when it was sent, how long its answer took, and its status
/// (0: no answer).
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub at: Instant,
    pub took: Duration,
    pub status: u16,
}

/// Every request, by endpoint.
#[derive(Default)]
pub struct Calls(Mutex<BTreeMap<&'static str, Vec<Call>>>);

impl Calls {
    /// Sends the request and reads the whole answer: its status (0 when none
    /// came) and its JSON body (`Null` when it had none).
    pub async fn send(&self, name: &'static str, request: RequestBuilder) -> (u16, Value) {
        let at = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.bytes().await.map(|b| serde_json::from_slice(&b).unwrap_or(Value::Null));
                body.map_or((0, Value::Null), |body| (status, body))
            }
            Err(_) => (0, Value::Null),
        };
        if let Ok(mut seen) = self.0.lock() {
            seen.entry(name).or_default().push(Call { at, took: at.elapsed(), status: answer.0 });
        }
        answer
    }

    /// What was recorded so far, leaving nothing behind.
    pub fn take(&self) -> BTreeMap<&'static str, Vec<Call>> {
        self.0.lock().map(|mut seen| std::mem::take(&mut *seen)).unwrap_or_default()
    }
}

/// A record a letter invitation can be issued for.
#[derive(Debug, Clone)]
pub struct Invitable {
    pub id: String,
    pub date_of_birth: String,
}

/// A registered patient's sign-in.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
}

/// The instances under test and what the journeys share.
pub struct Site {
    pub bases: Vec<String>,
    pub db: sqlx::AnyPool,
    /// Signed in as the demo admin of the team whose records are invited.
    pub admin: Client,
    pub records: Mutex<Vec<Invitable>>,
    /// Registered patients not signed in right now: one visit per account at
    /// a time, as people do, so no account's throttle is what is measured.
    pub accounts: Mutex<VecDeque<Account>>,
    /// The demo professionals (but the admin) not busy right now.
    pub staff: Mutex<VecDeque<Professional>>,
    /// Names and dates of birth professionals search for.
    pub searches: Vec<(String, String)>,
    pub calls: Calls,
    /// Makes each email address of this run new.
    run: String,
    next: AtomicUsize,
}

/// A client of one person: a cookie jar and the CSRF header the app sends.
pub fn person() -> reqwest::Result<Client> {
    let mut headers = HeaderMap::new();
    headers.insert(CSRF.0, HeaderValue::from_static(CSRF.1));
    Client::builder().cookie_store(true).default_headers(headers).timeout(Duration::from_secs(30)).build()
}

impl Site {
    /// Signs the demo admin in on the first instance and reads the records
    /// the journeys use.
    pub async fn open(bases: Vec<String>, database_url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new().max_connections(4).connect(database_url).await?;
        let admin = person()?;
        let (email, _, _) = PROFESSIONALS[0];
        let base = bases.first().context("no instance")?.clone();
        let signed_in = sign_in_staff(&Calls::default(), &admin, &base, email).await;
        anyhow::ensure!(signed_in != StaffSignIn::Refused, "the demo admin cannot sign in");
        // Adults of the admin's team with no account and no exclusion.
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT r.id, r.date_of_birth, r.family_name FROM records r \
             JOIN team_records tr ON tr.record_id = r.id JOIN teams t ON t.id = tr.team_id \
             WHERE t.slug = 'diabetes' AND r.owner_account_id IS NULL AND r.date_of_birth < '2000-01-01' \
             AND NOT EXISTS (SELECT 1 FROM exclusions e WHERE e.record_id = r.id) ORDER BY r.id",
        )
        .fetch_all(&db)
        .await?;
        let searches = rows.iter().take(200).map(|(_, dob, family)| (family.clone(), dob.clone())).collect();
        let records = rows.into_iter().map(|(id, date_of_birth, _)| Invitable { id, date_of_birth }).collect();
        Ok(Self {
            bases,
            db,
            admin,
            records: Mutex::new(records),
            accounts: Mutex::new(VecDeque::new()),
            staff: Mutex::new(
                PROFESSIONALS[1..].iter().map(|(email, _, _)| Professional { email, session: None }).collect(),
            ),
            searches,
            calls: Calls::default(),
            run: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
            next: AtomicUsize::new(0),
        })
    }

    /// The instance for step `step` of journey `n`.
    fn at(&self, n: usize, step: usize, path: &str) -> String {
        format!("{}{path}", self.bases[(n + step) % self.bases.len()])
    }

    pub fn records_left(&self) -> usize {
        self.records.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// One registration from invitation to record; the account when every
    /// step answered as it should.
    pub async fn register(&self, n: usize) -> anyhow::Result<Option<Account>> {
        let Some(record) = self.records.lock().ok().and_then(|mut r| r.pop()) else {
            return Ok(None);
        };
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        let email = format!("battery.{}.{k}@patients.battery.example", self.run);
        let invite = self
            .admin
            .post(self.at(n, 0, &format!("/api/v1/staff/records/{}/invitations", record.id)))
            .json(&json!({ "channel": "letter" }));
        let (status, issued) = self.calls.send("POST /staff/records/{id}/invitations (letter)", invite).await;
        let Some(code) = issued["code"].as_str().filter(|_| status == 201) else {
            return Ok(None);
        };
        self.register_with(n, code, &record.date_of_birth, &email).await
    }

    /// The patient's side of registration, with a code already issued.
    pub async fn register_with(
        &self,
        n: usize,
        code: &str,
        date_of_birth: &str,
        email: &str,
    ) -> anyhow::Result<Option<Account>> {
        let patient = person()?;
        let begin = patient
            .post(self.at(n, 1, "/api/v1/registration"))
            .json(&json!({ "code": code, "date_of_birth": date_of_birth }));
        if self.calls.send("POST /registration", begin).await.0 != 201 {
            return Ok(None);
        }
        let give = patient.post(self.at(n, 2, "/api/v1/registration/email")).json(&json!({ "email": email }));
        if self.calls.send("POST /registration/email", give).await.0 != 200 {
            return Ok(None);
        }
        let Some(digits) = self.emailed_code(email).await? else {
            return Ok(None);
        };
        let confirm =
            patient.post(self.at(n, 3, "/api/v1/registration/email/confirm")).json(&json!({ "code": digits }));
        if self.calls.send("POST /registration/email/confirm", confirm).await.0 != 200 {
            return Ok(None);
        }
        let finish = patient
            .post(self.at(n, 4, "/api/v1/registration/complete"))
            .json(&json!({ "password": PATIENT_PASSWORD, "accept_terms": true }));
        if self.calls.send("POST /registration/complete", finish).await.0 != 201 {
            return Ok(None);
        }
        let read = patient.get(self.at(n, 5, "/api/v1/me/record"));
        if self.calls.send("GET /me/record", read).await.0 != 200 {
            return Ok(None);
        }
        Ok(Some(Account { email: email.to_owned() }))
    }

    /// The six digits of the newest confirmation email to `email`. Read
    /// from the outbox: the battery's stand-in for the patient's inbox. When
    /// the faults part restarts PostgreSQL, this read of the battery's own
    /// can meet a connection the restart reset; it tries again for a few
    /// seconds, since the patient's email was not lost, only the reading of it.
    async fn emailed_code(&self, email: &str) -> anyhow::Result<Option<String>> {
        let mut tries = 0;
        let body: Option<String> = loop {
            let read = sqlx::query_scalar(
                "SELECT body_text FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(email)
            .fetch_optional(&self.db)
            .await;
            match read {
                Ok(body) => break body,
                Err(_) if tries < 20 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                Err(err) => return Err(err.into()),
            }
        };
        Ok(body.as_deref().and_then(six_digits))
    }

    /// A registered patient signs in, reads their record and the pages
    /// around it, and signs out. False when nobody is free to visit.
    pub async fn patient_visit(&self, n: usize) -> anyhow::Result<bool> {
        let Some(account) = self.accounts.lock().ok().and_then(|mut a| a.pop_front()) else {
            return Ok(false);
        };
        let patient = person()?;
        let sign_in = patient
            .post(self.at(n, 0, "/api/v1/session"))
            .json(&json!({ "email": account.email, "password": PATIENT_PASSWORD }));
        if self.calls.send("POST /session (patient)", sign_in).await.0 == 200 {
            for (step, (name, path)) in [
                ("GET /me/record", "/api/v1/me/record"),
                ("GET /me/records", "/api/v1/me/records"),
                ("GET /me/notification-preferences", "/api/v1/me/notification-preferences"),
                ("GET /me/record/carers", "/api/v1/me/record/carers"),
                ("GET /session", "/api/v1/session"),
            ]
            .into_iter()
            .enumerate()
            {
                self.calls.send(name, patient.get(self.at(n, step + 1, path))).await;
            }
            self.calls.send("DELETE /session", patient.delete(self.at(n, 6, "/api/v1/session"))).await;
        }
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.push_back(account);
        }
        Ok(true)
    }

    /// A professional signs in, searches their first team's records by name
    /// and by date of birth, opens one, and signs out. With a second factor,
    /// whose code works once, they sign in once per 30-second step and keep
    /// the session for the visits within it, as people stay signed in.
    pub async fn staff_visit(&self, n: usize) -> anyhow::Result<bool> {
        let Some(mut professional) = self.staff.lock().ok().and_then(|mut s| s.pop_front()) else {
            return Ok(false);
        };
        let step = totp::step_now();
        let staff = match professional.session.take() {
            Some((client, Some(at))) if at == step => {
                professional.session = Some((client.clone(), Some(at)));
                client
            }
            old => {
                if let Some((client, _)) = old {
                    self.calls.send("DELETE /session", client.delete(self.at(n, 5, "/api/v1/session"))).await;
                }
                let client = person()?;
                match sign_in_staff(&self.calls, &client, &self.at(n, 0, ""), professional.email).await {
                    StaffSignIn::WithCode(at) => professional.session = Some((client.clone(), Some(at))),
                    StaffSignIn::Password | StaffSignIn::Refused => {}
                }
                client
            }
        };
        let (status, teams) =
            self.calls.send("GET /staff/teams", staff.get(self.at(n, 1, "/api/v1/staff/teams"))).await;
        if let (200, Some(team)) = (status, teams["teams"][0]["id"].as_str()) {
            let (family, dob) = self.searches[n % self.searches.len().max(1)].clone();
            let path = format!("/api/v1/staff/teams/{team}/records");
            let by_name = staff.get(self.at(n, 2, &path)).query(&[("q", family)]);
            let (_, found) = self.calls.send("GET /staff/teams/{id}/records?q=name", by_name).await;
            let by_birth = staff.get(self.at(n, 3, &path)).query(&[("q", dob)]);
            self.calls.send("GET /staff/teams/{id}/records?q=date", by_birth).await;
            if let Some(id) = found["records"][0]["id"].as_str() {
                let open = staff.get(self.at(n, 4, &format!("/api/v1/staff/records/{id}")));
                self.calls.send("GET /staff/records/{id}", open).await;
            }
        }
        if professional.session.is_none() {
            self.calls.send("DELETE /session", staff.delete(self.at(n, 5, "/api/v1/session"))).await;
        }
        if let Ok(mut staff) = self.staff.lock() {
            staff.push_back(professional);
        }
        Ok(true)
    }
}

/// A demo professional, and the session kept for the rest of the TOTP step
/// whose code signed them in.
pub struct Professional {
    email: &'static str,
    session: Option<(Client, Option<u64>)>,
}

/// A six-digit code as the confirmation email sets it out ("123 456").
pub fn six_digits(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find(|l| l.len() == 7 && l.as_bytes()[3] == b' ' && l.replace(' ', "").bytes().all(|b| b.is_ascii_digit()))
        .map(|l| l.replace(' ', ""))
}

/// How a professional's sign-in went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StaffSignIn {
    /// With the password alone.
    Password,
    /// With the authenticator's code for this step too.
    WithCode(u64),
    Refused,
}

/// Signs a professional in, giving the authenticator's code when the server
/// asks for a second factor.
async fn sign_in_staff(calls: &Calls, client: &Client, base: &str, email: &str) -> StaffSignIn {
    let request =
        client.post(format!("{base}/api/v1/session")).json(&json!({ "email": email, "password": DEMO_PASSWORD }));
    let (status, session) = calls.send("POST /session (staff)", request).await;
    if status != 200 {
        return StaffSignIn::Refused;
    }
    if session["second_factor"] != "verify" {
        return StaffSignIn::Password;
    }
    let step = totp::step_now();
    let code = totp::demo_code_now();
    let verify = client.post(format!("{base}/api/v1/session/second-factor")).json(&json!({ "code": code }));
    match calls.send("POST /session/second-factor (staff)", verify).await.0 {
        200 => StaffSignIn::WithCode(step),
        _ => StaffSignIn::Refused,
    }
}

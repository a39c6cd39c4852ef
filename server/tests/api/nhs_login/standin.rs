//! The NHS login stand-in (nhslogin/standin/) on a free loopback port for
//! one test, Portico pointed at it, and a browser-like client that walks the
//! redirects between them.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use portico_server::clock::Clock;
use portico_server::db::Engine;
use portico_server::demo;
use reqwest::Client;
use serde_json::Value;

use crate::helpers::{Options, TestApp, spawn_app_configured};

pub const CLIENT_ID: &str = "portico-test";

fn standin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../nhslogin/standin")
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// The stand-in process, stopped when dropped.
pub struct Standin {
    child: Child,
    pub port: u16,
}

impl Standin {
    /// Starts it and waits until it listens (it prints so).
    pub fn start(redirect_uri: &str) -> Self {
        let dir = standin_dir();
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the NHS login stand-in is not installed: run scripts/setup --test"
        );
        // A stand-in has, rarely and only on a loaded machine, started and
        // then said nothing for 30 s; a second one on another port is quicker
        // than waiting on it.
        let mut silent = String::new();
        for _ in 0..2 {
            match Self::try_start(&dir, redirect_uri) {
                Ok(started) => return started,
                Err(why) => silent = why,
            }
        }
        panic!("the NHS login stand-in did not start, twice: {silent}");
    }

    fn try_start(dir: &std::path::Path, redirect_uri: &str) -> Result<Self, String> {
        let port = free_port();
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .args(["--port", &port.to_string(), "--client-id", CLIENT_ID, "--redirect-uri", redirect_uri])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs the NHS login stand-in");
        // Read on threads of their own, so a stand-in that never says it
        // listens fails here, by name, instead of hanging the test; and keep
        // reading after that line, so its output never fills the pipes.
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (listening, heard) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut listening = Some(listening);
            for line in lines.map_while(Result::ok) {
                if line.contains("listening on") {
                    listening.take().map(|told| told.send(()));
                }
            }
        });
        let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let errors = BufReader::new(child.stderr.take().unwrap()).lines();
        let kept = said.clone();
        std::thread::spawn(move || {
            for line in errors.map_while(Result::ok) {
                let mut kept = kept.lock().unwrap();
                if kept.len() < 4_000 && !line.contains("WARNING") {
                    kept.push_str(&line);
                    kept.push('\n');
                }
            }
        });
        match heard.recv_timeout(START_LIMIT) {
            Ok(()) => Ok(Self { child, port }),
            Err(waited) => {
                let _ = child.kill();
                let _ = child.wait();
                let said = said.lock().unwrap().clone();
                Err(format!("port {port}, {waited:?} after {START_LIMIT:?}, stderr: {said:?}"))
            }
        }
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Makes the next answers misbehave (see server.mjs, `control`).
    pub async fn control(&self, body: Value) {
        let client = Client::builder().timeout(STEP_LIMIT).build().unwrap();
        let response = client.post(format!("{}/test-control", self.issuer())).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Portico and the stand-in, wired together, with the personas' records seeded.
pub struct NhsLoginApp {
    pub app: TestApp,
    pub standin: Option<Standin>,
}

#[derive(Clone, Copy)]
pub struct Setup {
    pub accept_p5: bool,
    /// No stand-in: the issuer is a port where nothing listens.
    pub provider_down: bool,
}

pub const P9_ONLY: Setup = Setup { accept_p5: false, provider_down: false };

/// The longest one start of the stand-in may take (it takes 1–3 s).
const START_LIMIT: std::time::Duration = std::time::Duration::from_secs(15);

/// The longest the setting up of one test may take: the stand-in's start,
/// and Portico's (its database made, migrated and seeded). Two tests once
/// hung for a minute with no HTTP step running (their 30 s limits never
/// fired, on PostgreSQL, both at the same moment); these limits name the
/// phase if it happens again.
const SETUP_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// `step`, or a failure naming `what` once it has taken longer than `SETUP_LIMIT`.
pub async fn within<T>(what: &str, step: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(SETUP_LIMIT, step).await {
        Ok(done) => done,
        Err(_) => panic!("{what} took longer than {SETUP_LIMIT:?}"),
    }
}

pub async fn spawn(engine: Engine, setup: Setup) -> NhsLoginApp {
    let mut standin = None;
    let starting = spawn_app_configured(engine, Options { tls_base_url: false }, |settings| {
        let redirect = format!("{}api/v1/nhs-login/callback", settings.public_base_url);
        let issuer = if setup.provider_down {
            format!("http://127.0.0.1:{}", free_port())
        } else {
            let started = Standin::start(&redirect);
            let issuer = started.issuer();
            standin = Some(started);
            issuer
        };
        let nhs_login = &mut settings.nhs_login;
        nhs_login.nhs_login_issuer = Some(issuer.parse().unwrap());
        nhs_login.nhs_login_client_id = Some(CLIENT_ID.into());
        nhs_login.nhs_login_private_key_path = Some(standin_dir().join("test-client-key.pem"));
        nhs_login.nhs_login_timeout_secs = 1;
        if setup.accept_p5 {
            nhs_login.nhs_login_accept_p5 = true;
            nhs_login.nhs_login_vectors.extend(["P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm"].map(String::from));
        }
    });
    let app = within("starting Portico (database, migrations, demo data)", starting).await;
    // The stand-in signs and checks tokens by the real clock: Portico's must agree.
    #[allow(clippy::disallowed_methods)]
    let real_now = time::OffsetDateTime::now_utc();
    app.clock.advance(real_now - Clock::now(&app.clock));
    within("seeding the NHS login personas", demo::seed_nhs_login_personas(&app.db, real_now)).await.unwrap();
    NhsLoginApp { app, standin }
}

/// A browser: keeps cookies, follows redirects, except into Portico's
/// callback, so a test can hold (and replay, or spoil) the callback's address.
pub fn browser() -> Client {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().path() == "/api/v1/nhs-login/callback" { attempt.stop() } else { attempt.follow() }
    });
    Client::builder().cookie_store(true).redirect(policy).timeout(STEP_LIMIT).build().unwrap()
}

/// The longest one step of the dance may take. Each takes a second or two; a
/// step that hangs (seen once, under a loaded machine) then fails with the
/// address it was at, not as a silent test timeout.
const STEP_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

impl NhsLoginApp {
    pub fn standin(&self) -> &Standin {
        self.standin.as_ref().expect("a stand-in runs")
    }

    /// Continue with NHS login, as far as the stand-in's login page: its form's address.
    pub async fn to_login_page(&self, browser: &Client, query: &str) -> String {
        let response = browser.get(self.app.url(&format!("/api/v1/nhs-login/start?{query}"))).send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.url());
        let page = response.text().await.unwrap();
        let action = page.split("action=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a login form");
        format!("{}{action}", self.standin().issuer())
    }

    /// Signs in at the stand-in as `user`: where NHS login sends the browser back to.
    pub async fn choose(&self, browser: &Client, form: &str, user: &str) -> String {
        let response = browser.post(form).form(&[("user", user)]).send().await.unwrap();
        assert_eq!(response.status(), 303, "the stand-in sends the browser back");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("/api/v1/nhs-login/callback"), "{location}");
        location
    }

    /// Follows the callback: the address of the page the patient lands on.
    pub async fn back_at_portico(&self, browser: &Client, callback: &str) -> String {
        let response = browser.get(callback).send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.url());
        let url = response.url();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The whole dance for `user`, from the sign-in page: where it ends.
    pub async fn sign_in_as(&self, browser: &Client, user: &str) -> String {
        let form = self.to_login_page(browser, "from=sign-in").await;
        let callback = self.choose(browser, &form, user).await;
        self.back_at_portico(browser, &callback).await
    }

    /// Rows that a sign-in may add: accounts, identities, records, owned records, sessions.
    pub async fn counts(&self) -> [i64; 5] {
        let mut counts = [0; 5];
        let queries = [
            "SELECT COUNT(*) FROM accounts",
            "SELECT COUNT(*) FROM nhs_login_identities",
            "SELECT COUNT(*) FROM records",
            "SELECT COUNT(*) FROM records WHERE owner_account_id IS NOT NULL",
            "SELECT COUNT(*) FROM sessions",
        ];
        for (count, sql) in counts.iter_mut().zip(queries) {
            *count = within(sql, sqlx::query_scalar(sql).fetch_one(&self.app.db.pool)).await.unwrap();
        }
        counts
    }

    /// The account (if any) with this email.
    pub async fn account_of(&self, email: &str) -> Option<String> {
        let query = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1").bind(email);
        within("finding an account", query.fetch_optional(&self.app.db.pool)).await.unwrap()
    }

    /// The owner of the record with this NHS number.
    pub async fn owner_of(&self, nhs_number: &str) -> Option<String> {
        let query = sqlx::query_scalar("SELECT owner_account_id FROM records WHERE nhs_number = $1").bind(nhs_number);
        within("finding a record's owner", query.fetch_one(&self.app.db.pool)).await.unwrap()
    }
}

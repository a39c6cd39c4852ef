//! `spawn_app`: the real server on a random port with a fresh database
//! (a SQLite file, or a new PostgreSQL database), demo data, a clock the test
//! moves, and a client that keeps cookies like a browser.

use std::path::PathBuf;
use std::sync::Arc;

use portico_server::clock::ManualClock;
use portico_server::config::Settings;
use portico_server::db::{Db, Engine};
use portico_server::{Server, demo};
use portico_types::api::{SessionResponse, TeamsResponse};
use reqwest::{Client, Response};
use serde_json::{Value, json};
use time::macros::datetime;

pub use portico_server::demo::DEMO_PASSWORD;
pub const SAM: &str = "sam.okafor@demo.portico.example";
pub const ASHA: &str = "asha.patel@demo.portico.example";

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $test() { super::$test(portico_server::db::Engine::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $test() { super::$test(portico_server::db::Engine::Postgres).await } )*
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub clock: ManualClock,
    /// A browser-like client: keeps cookies, sends the CSRF header.
    pub client: Client,
    /// Where the HL7 (MLLP) listener listens, when the settings turn it on.
    pub mllp_addr: Option<std::net::SocketAddr>,
    /// Its settings, for a second instance on the same database.
    settings: Settings,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub tls_base_url: bool,
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, Options { tls_base_url: false }).await
}

pub async fn spawn_app_with(engine: Engine, options: Options) -> TestApp {
    spawn_app_configured(engine, options, |_| {}).await
}

/// [`spawn_app_with`], with the settings changed by `configure` before the server starts.
pub async fn spawn_app_configured(engine: Engine, options: Options, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.path().join("portico.db").display()),
        Engine::Postgres => fresh_postgres_database().await,
    };
    let site_dir = fake_site(&dir.path().join("site"));
    // Bind first to learn the port, so the public base URL can name it, and
    // keep it bound: another test's server or stand-in could take a port let go.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let scheme = if options.tls_base_url { "https" } else { "http" };
    let mut settings = Settings {
        database_url,
        database_max_connections: 5,
        bind: addr,
        public_base_url: format!("{scheme}://{addr}/").parse().unwrap(),
        site_dir,
        password_hash_concurrency: 2,
        ..Settings::default()
    };
    configure(&mut settings);
    let clock = ManualClock::new(datetime!(2026-11-25 09:00 UTC));
    let kept = settings.clone();
    let server = Server::build_with_listener(settings, Arc::new(clock.clone()), listener).await.unwrap();
    let db = server.state().db.clone();
    demo::seed(&db, 40, datetime!(2026-11-25 09:00 UTC)).await.unwrap();
    demo::enrol_second_factors(&db, &server.state().keys, datetime!(2026-11-25 09:00 UTC)).await.unwrap();
    running(server, kept, clock, dir)
}

/// Runs `server` (built from `settings`, on `clock`) until `TestApp::shut_down`
/// (a dropped sender stops nothing); `dir` lives as long as it.
fn running(server: Server, settings: Settings, clock: ManualClock, dir: tempfile::TempDir) -> TestApp {
    let db = server.state().db.clone();
    let mllp_addr = server.mllp_local_addr();
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        if stop.await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    TestApp {
        base: format!("http://{}", settings.bind),
        db,
        clock,
        client: browser(),
        mllp_addr,
        settings,
        shutdown: Some(shutdown),
        running: Some(running),
        _dir: dir,
    }
}

/// A client like a browser on Portico's own page: cookies kept, CSRF header sent.
pub fn browser() -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-portico-csrf", reqwest::header::HeaderValue::from_static("1"));
    Client::builder().cookie_store(true).default_headers(headers).build().unwrap()
}

/// The secret in an `otpauth://totp/…?secret=BASE32&…` link.
pub fn secret_of(otpauth_uri: &str) -> Vec<u8> {
    let url: url::Url = otpauth_uri.parse().unwrap();
    let secret = url.query_pairs().find(|(k, _)| k == "secret").unwrap().1.into_owned();
    totp_rs::Secret::try_from_base32(secret).unwrap().as_ref().to_vec()
}

/// A new, empty PostgreSQL database's URL.
pub async fn fresh_database_url() -> String {
    fresh_postgres_database().await
}

async fn fresh_postgres_database() -> String {
    let admin = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("portico_t_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.expect("PostgreSQL must answer at PORTICO_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.unwrap();
    pool.close().await;
    let mut url: url::Url = admin.parse().unwrap();
    url.set_path(&name);
    url.to_string()
}

/// A stand-in for the built browser app: the shells and one asset.
fn fake_site(dir: &std::path::Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>patient shell</title>").unwrap();
    std::fs::write(dir.join("register.html"), "<!doctype html><title>register shell</title>").unwrap();
    std::fs::write(dir.join("join.html"), "<!doctype html><title>join shell</title>").unwrap();
    std::fs::write(dir.join("account.html"), "<!doctype html><title>account shell</title>").unwrap();
    std::fs::write(dir.join("notifications.html"), "<!doctype html><title>notifications shell</title>").unwrap();
    std::fs::write(dir.join("staff.html"), "<!doctype html><title>staff shell</title>").unwrap();
    std::fs::write(dir.join("pkg/app.js"), "export {};").unwrap();
    dir.to_path_buf()
}

impl TestApp {
    /// The database this instance uses (for the `portico` command line).
    pub fn database_url(&self) -> &str {
        &self.settings.database_url
    }

    /// A second instance on this one's database and clock, as two instances
    /// behind one load balancer: its own address, every table shared.
    pub async fn sibling(&self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let settings = Settings { bind: addr, site_dir: fake_site(&dir.path().join("site")), ..self.settings.clone() };
        let kept = settings.clone();
        let server = Server::build_with_listener(settings, Arc::new(self.clock.clone()), listener).await.unwrap();
        running(server, kept, self.clock.clone(), dir)
    }

    /// Starts a graceful shutdown of the server, and returns once it has stopped.
    pub async fn shut_down(&mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.running.take() {
            Some(running) => running.await?,
            None => Ok(()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in with the password and, as a professional with their
    /// authenticator would, the second factor: the answer is the last step's.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.sign_in_as(&self.client, email, password).await
    }

    /// Signs in with a fresh client, for tests that need several people or several attempts.
    pub async fn sign_in_as(&self, client: &Client, email: &str, password: &str) -> Response {
        let response = self.password_only(client, email, password).await;
        self.second_factor(client, response).await
    }

    /// The password step alone: a professional's session then waits for its second factor.
    pub async fn password_only(&self, client: &Client, email: &str, password: &str) -> Response {
        client
            .post(self.url("/api/v1/session"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Gives the second factor a session waits for (the demo authenticator's
    /// code at the server's time, or an authenticator set up there and then);
    /// any other answer comes back as it was.
    pub async fn second_factor(&self, client: &Client, response: Response) -> Response {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap();
        let waiting = serde_json::from_slice::<Value>(&body).ok().filter(|_| status == 200).and_then(|session| {
            let step = session["second_factor"].as_str()?.to_owned();
            Some((step, session["account"]["id"].as_str()?.to_owned()))
        });
        let Some((step, account_id)) = waiting else {
            let mut rebuilt = axum::http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            return Response::from(rebuilt);
        };
        let now = portico_server::clock::Clock::now(&self.clock);
        if step == "enrol" {
            let enrolment: Value = client
                .post(self.url("/api/v1/session/second-factor/enrolment"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let secret = secret_of(enrolment["otpauth_uri"].as_str().unwrap());
            let code = portico_server::auth::second_factor::code_at(&secret, now).unwrap();
            let confirmed = client
                .post(self.url("/api/v1/session/second-factor/enrolment/confirm"))
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            assert_eq!(confirmed.status(), 200, "setting up an authenticator");
            return self.get_as(client, "/api/v1/session").await;
        }
        self.give_demo_code(client, &account_id).await
    }

    /// The demo authenticator's code for a session of `account_id` waiting for it.
    pub async fn give_demo_code(&self, client: &Client, account_id: &str) -> Response {
        // The test's clock stands still, so every sign-in falls in one 30-second
        // step, which the server accepts once: forget the last one accepted, as
        // if the person had waited for the next code.
        sqlx::query("UPDATE second_factors SET last_step = NULL WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.db.pool)
            .await
            .unwrap();
        let now = portico_server::clock::Clock::now(&self.clock);
        let code = portico_server::auth::second_factor::code_at(demo::DEMO_TOTP_SECRET, now).unwrap();
        client.post(self.url("/api/v1/session/second-factor")).json(&json!({ "code": code })).send().await.unwrap()
    }

    async fn get_as(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn signed_in(&self, email: &str) -> SessionResponse {
        let response = self.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 200, "signing in as {email}");
        response.json().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn teams(&self) -> TeamsResponse {
        let response = self.get("/api/v1/staff/teams").await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_events ORDER BY occurred_at, id")
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }
}

/// The problem JSON of a response, checking its media type.
pub async fn problem(response: Response) -> Value {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json", "status {}", response.status());
    response.json().await.unwrap()
}

/// Adds an account with the demo password and a proven email; returns the email (also its id).
pub async fn account(app: &TestApp, email: &str, name: &str) -> String {
    let hash = portico_server::auth::passwords::hash_blocking(DEMO_PASSWORD).unwrap();
    sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, '2026-11-25T09:00:00.000000Z', $3, $4, '2026-11-25T09:00:00.000000Z')",
    )
    .bind(email)
    .bind(email)
    .bind(hash)
    .bind(name)
    .execute(&app.db.pool)
    .await
    .unwrap();
    email.to_owned()
}

/// An account with no professional role (a patient, later).
pub async fn patient_account(app: &TestApp) -> String {
    account(app, "pat.ient@patients.portico.example", "Pat Ient").await
}

/// A clinician of another organisation, in a team of its own.
pub async fn other_organisation_professional(app: &TestApp) -> String {
    let email = account(app, "casey@other-trust.example", "Casey Other").await;
    let at = "2026-11-25T09:00:00.000000Z";
    for sql in [
        "INSERT INTO organisations (id, ods_code, name, created_at) VALUES ('org-2', 'RXX', 'Other Trust', $1)",
        "INSERT INTO teams (id, organisation_id, slug, name, created_at) VALUES ('team-2', 'org-2', 'other', 'Other Team', $1)",
    ] {
        sqlx::query(sql).bind(at).execute(&app.db.pool).await.unwrap();
    }
    sqlx::query("INSERT INTO professionals (account_id, organisation_id, created_at) VALUES ($1, 'org-2', $2)")
        .bind(&email)
        .bind(at)
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO team_roles (account_id, team_id, role) VALUES ($1, 'team-2', 'clinician')")
        .bind(&email)
        .execute(&app.db.pool)
        .await
        .unwrap();
    email
}

/// Polls `found` until it gives a value (10 seconds at most).
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(mut found: impl FnMut() -> F) -> T {
    for _ in 0..200 {
        if let Some(value) = found().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("not within 10 seconds");
}

//! The battery's attack on account enumeration: can anyone tell, from the
//! answer or from how long it took, whether an account or an invitation
//! exists? Through the entry points that take an identity from anyone:
//!
//! - sign-in with a wrong password: an account's email against an email
//!   no account has;
//! - asking for a password reset: the same two kinds of address;
//! - registration's first step: a real invitation code with a wrong date of
//!   birth against a code no invitation has.
//!
//! The two kinds are sent alternately, one request at a time (so neither
//! shares the cores with the other), each identity a few times (under its
//! own throttle's free attempts) and each request from its own loopback
//! address (127.0.x.y, under the per-address throttles): every request takes
//! the whole path, as a careful attacker's would. Printed per entry point:
//! both medians and 90th percentiles, their ratio (the missing kind is the
//! baseline), and whether status and body were identical every time.
//!
//! Self-registration and the kiosk answer an unknown person and a known one
//! with the same words too (their API tests compare the bodies); their
//! timing is not measured here.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use crate::server::{self, CSRF};

/// Identities of each kind per entry point (the short run's: 10).
const IDENTITIES: usize = 40;

/// One entry point's samples: (latency, status, body) for each kind.
#[derive(Default)]
struct Sides {
    existing: Vec<(Duration, u16, String)>,
    missing: Vec<(Duration, u16, String)>,
}

impl Sides {
    fn percentile(samples: &[(Duration, u16, String)], p: f64) -> Duration {
        let mut sorted: Vec<Duration> = samples.iter().map(|s| s.0).collect();
        sorted.sort_unstable();
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }

    /// Whether each answer about an identity that exists had the same status
    /// and body as the answer sent beside it about one that does not (the
    /// same try of each: a code's attempts left count down alike for both).
    fn same_answers(&self) -> bool {
        self.existing.len() == self.missing.len()
            && self.existing.iter().zip(&self.missing).all(|(e, m)| (e.1, &e.2) == (m.1, &m.2))
    }

    fn row(&self, name: &str) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let (e50, m50) = (Self::percentile(&self.existing, 0.5), Self::percentile(&self.missing, 0.5));
        let (e90, m90) = (Self::percentile(&self.existing, 0.9), Self::percentile(&self.missing, 0.9));
        let statuses = |samples: &[(Duration, u16, String)]| {
            let mut s: Vec<u16> = samples.iter().map(|x| x.1).collect();
            s.dedup();
            s.iter().map(u16::to_string).collect::<Vec<_>>().join("/")
        };
        format!(
            "| {name} | {} + {} | {} | {} | {:.2} | {} | {} | {:.2} | {} ({} / {}) |",
            self.existing.len(),
            self.missing.len(),
            ms(e50),
            ms(m50),
            e50.as_secs_f64() / m50.as_secs_f64().max(1e-9),
            ms(e90),
            ms(m90),
            e90.as_secs_f64() / m90.as_secs_f64().max(1e-9),
            if self.same_answers() { "identical" } else { "DIFFER" },
            statuses(&self.existing),
            statuses(&self.missing),
        )
    }
}

/// Loopback source addresses, one per request, from 127.0.20.1 upwards.
struct Addresses(usize);

impl Addresses {
    fn next_client(&mut self) -> reqwest::Result<Client> {
        self.0 += 1;
        let n = self.0;
        let address = IpAddr::V4(Ipv4Addr::new(127, 0, (20 + n / 250) as u8, (1 + n % 250) as u8));
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(CSRF.0, reqwest::header::HeaderValue::from_static(CSRF.1));
        Client::builder().local_address(address).default_headers(headers).build()
    }
}

/// Sends `body(identity)` to `path` for each identity of both kinds,
/// alternately, `tries` times each.
async fn measure(
    base: &str,
    addresses: &mut Addresses,
    path: &str,
    existing: &[Value],
    missing: &[Value],
    tries: usize,
) -> anyhow::Result<Sides> {
    let mut sides = Sides::default();
    let url = format!("{base}{path}");
    for _ in 0..tries {
        for (known, unknown) in existing.iter().zip(missing) {
            for (body, into) in [(known, &mut sides.existing), (unknown, &mut sides.missing)] {
                let client = addresses.next_client()?;
                let at = Instant::now();
                let response = client.post(&url).json(body).send().await?;
                let status = response.status().as_u16();
                let text = response.text().await?;
                into.push((at.elapsed(), status, text));
            }
        }
    }
    Ok(sides)
}

/// Letter invitations issued by the demo admin to the first team's records
/// (as printed: the code in groups).
fn invitation_codes(base: &str, identities: usize) -> anyhow::Result<Vec<String>> {
    let (admin, team) = server::signed_in_admin(base)?;
    let mut codes = Vec::new();
    for page in 1.. {
        let listed: Value =
            admin.get(format!("{base}/api/v1/staff/teams/{team}/records?page={page}")).send()?.json()?;
        let records = listed["records"].as_array().cloned().unwrap_or_default();
        if records.is_empty() {
            break;
        }
        for record in records {
            let Some(id) = record["id"].as_str() else { continue };
            let issued = admin
                .post(format!("{base}/api/v1/staff/records/{id}/invitations"))
                .header(CSRF.0, CSRF.1)
                .json(&json!({ "channel": "letter" }))
                .send()?;
            // A registered or excluded record cannot be invited: the next one is.
            if issued.status().is_success()
                && let Some(code) = issued.json::<Value>()?["code"].as_str()
            {
                codes.push(code.to_owned());
            }
            if codes.len() == identities {
                return Ok(codes);
            }
        }
    }
    anyhow::bail!("only {} of the first team's records could be invited", codes.len())
}

/// A code of the right form that no invitation has (the check character holds).
fn missing_code(n: usize) -> String {
    let bits = uuid::Uuid::new_v4().as_u128() as u64 ^ n as u64;
    portico_types::InvitationCode::from_random_bits(bits).grouped()
}

/// Runs the attack and prints its table; the entry points whose answers differed.
pub fn report(binary: &Path, short: bool) -> anyhow::Result<Vec<String>> {
    let identities = if short { 10 } else { IDENTITIES };
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("portico.db").display());
    let mut launch = server::Launch::new(&database)?;
    launch.records = 200;
    let _running = launch.spawn(binary)?;
    let base = launch.base();
    let codes = invitation_codes(&base, identities)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let rows = runtime.block_on(async {
        let known = crate::registration::make_accounts(&database, "enumeration", identities).await?;
        let unknown: Vec<String> =
            (0..identities).map(|n| format!("nobody.{n}.{}@bench.portico.example", uuid::Uuid::new_v4())).collect();
        let mut addresses = Addresses(0);
        let sign_in = |email: &String| json!({ "email": email, "password": "not the password at all" });
        let sign_ins = measure(
            &base,
            &mut addresses,
            "/api/v1/session",
            &known.iter().map(sign_in).collect::<Vec<_>>(),
            &unknown.iter().map(sign_in).collect::<Vec<_>>(),
            3,
        )
        .await?;
        let reset = |email: &String| json!({ "email": email });
        let resets = measure(
            &base,
            &mut addresses,
            "/api/v1/password-reset",
            &known.iter().map(reset).collect::<Vec<_>>(),
            &unknown.iter().map(reset).collect::<Vec<_>>(),
            2,
        )
        .await?;
        let start = |code: &String| json!({ "code": code, "date_of_birth": "1901-01-01" });
        let missing: Vec<String> = (0..identities).map(missing_code).collect();
        let starts = measure(
            &base,
            &mut addresses,
            "/api/v1/registration",
            &codes.iter().map(start).collect::<Vec<_>>(),
            &missing.iter().map(start).collect::<Vec<_>>(),
            3,
        )
        .await?;
        anyhow::Ok(vec![
            ("sign-in, wrong password: account / no account", sign_ins),
            ("password reset: account / no account", resets),
            ("registration: real code, wrong date of birth / no such code", starts),
        ])
    })?;

    println!("\n## Attack: account enumeration by answer and timing, SQLite, one request at a time\n");
    println!(
        "| entry point | requests | p50 exists | p50 missing (baseline) | ratio | p90 exists | p90 missing | ratio | answers (statuses) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut differing = Vec::new();
    for (name, sides) in &rows {
        println!("{}", sides.row(name));
        if !sides.same_answers() {
            differing.push((*name).to_owned());
        }
    }
    Ok(differing)
}

//! The battery's attack on account enumeration: can anyone tell, from the
//! answer or from how long it took, whether an account or an invitation
//! exists? Through the entry points that take an identity from anyone:
//!
//! - sign-in with a wrong password: an account's email against an email
//!   no account has;
//! - asking for a password reset: the same two kinds of address;
//! - registration's first step: a real invitation code with a wrong date of
//!   birth against a code no invitation has;
//! - a team's join page (self-registration): an address an account has
//!   against one none has (each form's proof of work solved beforehand, off
//!   the clock; the server is started asking for 8 bits, not 18, to keep the
//!   run short: the work is the client's and is not timed);
//! - the kiosk's check-in: a family name the team's records have, with a
//!   wrong date of birth, against one none has (at most 20 of each, one try:
//!   a kiosk takes 40 check-ins in ten minutes).
//!
//! The two kinds are sent alternately, one request at a time (so neither
//! shares the cores with the other), each identity a few times (under its
//! own throttle's free attempts) and each request from its own loopback
//! address (127.0.x.y, under the per-address throttles): every request takes
//! the whole path, as a careful attacker's would. Printed per entry point:
//! both medians and 90th percentiles, their ratio (the missing kind is the
//! baseline), and whether status and body were identical every time.
//!
//! An answer that repeats what was sent (the join page's names the address
//! typed) is compared with that address masked.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use crate::server::{self, CSRF};

/// Identities of each kind per entry point (the short run's: 10).
const IDENTITIES: usize = 40;

/// At most this many of each kind at the kiosk: one kiosk takes 40
/// check-ins in ten minutes, and each is tried once.
const KIOSK_IDENTITIES: usize = 20;

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

/// What a request needs before it is sent (and timed).
#[derive(Clone, Copy)]
enum Before<'a> {
    Nothing,
    /// The join page at this path issues a challenge; the body gets it, solved.
    SolveJoinChallenge(&'a str),
}

/// Sends each body to `path` for each identity of both kinds, alternately,
/// `tries` times each, from its own address (with `cookie`, if any).
#[allow(clippy::too_many_arguments)]
async fn measure(
    base: &str,
    addresses: &mut Addresses,
    path: &str,
    existing: &[Value],
    missing: &[Value],
    tries: usize,
    before: Before<'_>,
    cookie: Option<&str>,
) -> anyhow::Result<Sides> {
    let mut sides = Sides::default();
    let url = format!("{base}{path}");
    for _ in 0..tries {
        for (known, unknown) in existing.iter().zip(missing) {
            for (body, into) in [(known, &mut sides.existing), (unknown, &mut sides.missing)] {
                let client = addresses.next_client()?;
                let mut body = body.clone();
                if let Before::SolveJoinChallenge(page) = before {
                    let page: Value = client.get(format!("{base}{page}")).send().await?.json().await?;
                    let challenge = page["challenge"].as_str().unwrap_or_default().to_owned();
                    let bits = u32::try_from(page["bits"].as_u64().unwrap_or(0)).unwrap_or(u32::MAX);
                    let solving = challenge.clone();
                    let nonce =
                        tokio::task::spawn_blocking(move || portico_types::proof_of_work::solve(&solving, bits))
                            .await?;
                    body["challenge"] = json!(challenge);
                    body["nonce"] = json!(nonce.to_string());
                }
                let mut request = client.post(&url).json(&body);
                if let Some(cookie) = cookie {
                    request = request.header(reqwest::header::COOKIE, cookie);
                }
                let at = Instant::now();
                let response = request.send().await?;
                let status = response.status().as_u16();
                let text = response.text().await?;
                let elapsed = at.elapsed();
                // An answer may repeat the address sent: compared without it.
                let text = match body["email"].as_str() {
                    Some(email) if !email.is_empty() => text.replace(email, "<the address sent>"),
                    _ => text,
                };
                into.push((elapsed, status, text));
            }
        }
    }
    Ok(sides)
}

/// A device set up as the first team's kiosk by the demo admin: the
/// kiosk's cookies, to send with each check-in.
fn kiosk_cookie(base: &str) -> anyhow::Result<String> {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let (device, team) = server::signed_in_admin_with(base, Some(jar.clone()))?;
    device
        .post(format!("{base}/api/v1/staff/teams/{team}/kiosks"))
        .header(CSRF.0, CSRF.1)
        .json(&json!({ "name": "Enumeration bench" }))
        .send()?
        .error_for_status()?;
    let url: reqwest::Url = base.parse()?;
    let cookies =
        reqwest::cookie::CookieStore::cookies(&*jar, &url).ok_or_else(|| anyhow::anyhow!("no kiosk cookie"))?;
    Ok(cookies.to_str()?.to_owned())
}

/// Letter invitations issued by the demo admin to the first team's records
/// (as printed: the code in groups), and `names` distinct family names of
/// that team's records (each one identity at the kiosk: a name tried twice
/// would meet its own throttle).
fn invitation_codes(base: &str, identities: usize, names: usize) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let (admin, team) = server::signed_in_admin(base)?;
    let mut codes = Vec::new();
    let mut family_names: Vec<String> = Vec::new();
    for page in 1.. {
        let listed: Value =
            admin.get(format!("{base}/api/v1/staff/teams/{team}/records?page={page}")).send()?.json()?;
        let records = listed["records"].as_array().cloned().unwrap_or_default();
        if records.is_empty() {
            break;
        }
        for record in records {
            let Some(id) = record["id"].as_str() else { continue };
            if let Some(family) = record["family_name"].as_str()
                && family_names.len() < names
                && !family_names.iter().any(|known| known.eq_ignore_ascii_case(family))
            {
                family_names.push(family.to_owned());
            }
            if codes.len() < identities {
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
            }
            if codes.len() == identities && family_names.len() == names {
                return Ok((codes, family_names));
            }
        }
    }
    anyhow::bail!(
        "the first team's records gave {} of {identities} codes and {} of {names} family names",
        codes.len(),
        family_names.len()
    )
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
    launch.env.push(("PORTICO_JOIN_PROOF_OF_WORK_BITS", "8".to_owned()));
    let _running = launch.spawn(binary)?;
    let base = launch.base();
    let at_kiosk = identities.min(KIOSK_IDENTITIES);
    let (codes, family_names) = invitation_codes(&base, identities, at_kiosk)?;
    let kiosk = kiosk_cookie(&base)?;
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
            Before::Nothing,
            None,
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
            Before::Nothing,
            None,
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
            Before::Nothing,
            None,
        )
        .await?;
        let join = |email: &String| {
            json!({ "given_name": "Sam", "family_name": "Bench", "date_of_birth": "1980-02-03", "nhs_number": "",
                "email": email, "mobile": "", "leave_blank": "", "challenge": "", "nonce": "" })
        };
        let joins = measure(
            &base,
            &mut addresses,
            "/api/v1/join/diabetes",
            &known.iter().map(join).collect::<Vec<_>>(),
            &unknown.iter().map(join).collect::<Vec<_>>(),
            1,
            Before::SolveJoinChallenge("/api/v1/join/diabetes"),
            None,
        )
        .await?;
        let check_in = |family: &String| json!({ "date_of_birth": "1901-01-01", "family_name": family });
        let strangers: Vec<String> = (0..at_kiosk).map(|n| format!("Nobodyhere{}", n + 1)).collect();
        let check_ins = measure(
            &base,
            &mut addresses,
            "/api/v1/kiosk/check-ins",
            &family_names.iter().map(check_in).collect::<Vec<_>>(),
            &strangers.iter().map(check_in).collect::<Vec<_>>(),
            1,
            Before::Nothing,
            Some(&kiosk),
        )
        .await?;
        anyhow::Ok(vec![
            ("sign-in, wrong password: account / no account", sign_ins),
            ("password reset: account / no account", resets),
            ("registration: real code, wrong date of birth / no such code", starts),
            ("join page: address with an account / without", joins),
            ("kiosk check-in: family name on a record, wrong date of birth / on none", check_ins),
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

//! `portico`: run the server, or seed demo data.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use portico_server::config::Settings;
use portico_server::{Server, demo, telemetry};

#[derive(Parser)]
#[command(name = "portico", version, about = "Portico: patient-portal registration")]
struct Cli {
    /// A TOML file of settings; environment variables override it.
    #[arg(long, env = "PORTICO_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the browser app (the default).
    Serve,
    /// Seed the demo organisation (if absent), then serve.
    Demo {
        #[arg(long, default_value_t = 40)]
        records: usize,
    },
    /// Seed the demo organisation (if absent) and exit.
    SeedDemo {
        #[arg(long, default_value_t = 40)]
        records: usize,
    },
    /// Print the code the demo professionals' authenticator shows now (their
    /// second factor, for trying the demo without an authenticator app).
    DemoCode,
    /// Portico's key pair for signing in with NHS login.
    NhsLogin {
        #[command(subcommand)]
        command: NhsLoginCommand,
    },
    /// Accounts' second factors, for the service desk.
    SecondFactor {
        #[command(subcommand)]
        command: SecondFactorCommand,
    },
}

#[derive(Subcommand)]
enum SecondFactorCommand {
    /// Remove the authenticator and recovery codes of the account with this
    /// email, once the person's identity is checked: for one who lost both.
    /// Their sessions end, they are emailed, and their next sign-in sets up
    /// a new authenticator. Audited with the reason and $USER.
    Reset {
        #[arg(long)]
        email: String,
        /// Why, for the audit trail (e.g. a service desk ticket).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum NhsLoginCommand {
    /// Write a new 2048-bit RSA private key (PEM) to a file that does not exist yet.
    GenerateKey {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public key, as PEM and as JWKS, to register with NHS login
    /// (the configured `nhs_login_private_key_path`, or --key).
    PublicKey {
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    if let Some(Command::NhsLogin { command }) = &cli.command {
        return nhs_login_key(command, &settings);
    }
    if let Some(Command::SecondFactor { command: SecondFactorCommand::Reset { email, reason } }) = &cli.command {
        return reset_second_factor(&settings, email, reason).await;
    }
    if let Some(Command::DemoCode) = &cli.command {
        // On the server's own clock, moved on as its settings say.
        let clock = portico_server::clock::AheadClock(time::Duration::days(settings.clock_offset_days));
        let now = portico_server::clock::Clock::now(&clock);
        println!("{}", portico_server::auth::second_factor::code_at(demo::DEMO_TOTP_SECRET, now)?);
        return Ok(());
    }
    telemetry::init(settings.log_format);
    tracing::info!(settings = ?settings, "starting");
    let command = cli.command.unwrap_or(Command::Serve);
    let seed_records = match command {
        Command::Serve => None,
        Command::Demo { records } | Command::SeedDemo { records } => Some(records),
        Command::NhsLogin { .. } | Command::DemoCode | Command::SecondFactor { .. } => None,
    };
    let server = Server::build(settings.clone()).await?;
    if let Some(records) = seed_records {
        let seeded = demo::seed(&server.state().db, records, server.state().now()).await?;
        demo::seed_nhs_login_personas(&server.state().db, server.state().now()).await?;
        demo::enrol_second_factors(&server.state().db, &server.state().keys, server.state().now()).await?;
        if seeded.already_there {
            tracing::info!("demo data already present");
        } else {
            tracing::info!(records = seeded.records, "demo data seeded");
        }
    }
    if matches!(command, Command::SeedDemo { .. }) {
        return Ok(());
    }
    let addr = server.local_addr()?;
    println!("\nPortico is running at {}", settings.public_base_url);
    println!("  (listening on {addr}; database {})", engine_name(&settings.database_url));
    if let Some(mllp) = server.mllp_local_addr() {
        println!("  HL7 v2 ADT over MLLP on {mllp}");
    }
    if matches!(command, Command::Demo { .. }) {
        println!("  Staff sign-in: {}staff/sign-in", settings.public_base_url);
        println!("  Demo professionals (password: {}):", demo::DEMO_PASSWORD);
        for (email, name, roles) in demo::PROFESSIONALS {
            let roles: Vec<String> = roles.iter().map(|(team, role)| format!("{role} in {team}")).collect();
            println!("    {email:<38} {name} ({})", roles.join(", "));
        }
        println!(
            "  Their second factor: add the secret {} to an authenticator app, or run `scripts/demo code` for the code now.",
            demo_totp_base32()
        );
    }
    if matches!(command, Command::Demo { .. }) {
        println!(
            "  Demo patient (signs in at {}sign-in, same password): {}",
            settings.public_base_url,
            demo::DEMO_PATIENT_EMAIL
        );
        println!("    (the mother of Leo and the carer of Margaret: {})", demo::DEMO_CARED_FOR_EMAIL);
        println!(
            "  To register a patient: sign in as Dr Asha Patel, open a Diabetes Clinic record, issue an invitation;"
        );
        if settings.smtp_url.is_none() {
            println!("    emails land in the development outbox ({}staff/dev-outbox).", settings.public_base_url);
        }
    }
    println!("  Press Ctrl+C to stop.\n");
    server.run(shutdown_signal()).await.context("server stopped with an error")
}

async fn reset_second_factor(settings: &Settings, email: &str, reason: &str) -> anyhow::Result<()> {
    use portico_server::auth::second_factor::{self, Reset};
    let email = portico_types::EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {email}: {e}"))?;
    anyhow::ensure!(!reason.trim().is_empty(), "--reason is needed: it is kept in the audit trail");
    // The server's own clock, moved on as its settings say.
    let clock = portico_server::clock::AheadClock(time::Duration::days(settings.clock_offset_days));
    let now = portico_server::clock::Clock::now(&clock);
    let db = portico_server::db::Db::connect(&settings.database_url, 2).await?;
    let keys = portico_server::secrets::Keys::load(&db, settings.secret_key.as_deref(), now).await?;
    let state = portico_server::state::AppState::new(db, settings.clone(), std::sync::Arc::new(clock), keys);
    let operator = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
    match second_factor::reset_by_operator(&state, &email, reason.trim(), &operator).await? {
        Reset::Done { sessions_ended } => {
            println!(
                "Two-step sign-in reset for {}: {sessions_ended} session(s) ended, the owner emailed. \
                 Their next sign-in sets up a new authenticator.",
                email.as_str()
            );
            Ok(())
        }
        Reset::NoneSetUp => anyhow::bail!("{} has no two-step sign-in set up: nothing changed", email.as_str()),
        Reset::NoSuchAccount => anyhow::bail!("no account has the email {}", email.as_str()),
    }
}

fn nhs_login_key(command: &NhsLoginCommand, settings: &Settings) -> anyhow::Result<()> {
    use std::io::Write as _;

    use portico_server::nhs_login::key::ClientKey;
    match command {
        NhsLoginCommand::GenerateKey { out } => {
            let pem = ClientKey::generate_pem()?;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(out)
                .with_context(|| format!("creating {} (an existing key is never overwritten)", out.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            file.write_all(pem.as_bytes())?;
            println!("Wrote a 2048-bit RSA private key to {}.", out.display());
            println!(
                "Set nhs_login_private_key_path to it, then register the public key: portico nhs-login public-key"
            );
        }
        NhsLoginCommand::PublicKey { key } => {
            let path = key
                .clone()
                .or_else(|| settings.nhs_login.nhs_login_private_key_path.clone())
                .context("no key: pass --key FILE or set nhs_login_private_key_path")?;
            let key = ClientKey::load(&path)?;
            println!("{}", key.public_pem()?.trim_end());
            println!("{}", serde_json::to_string_pretty(&key.jwks())?);
        }
    }
    Ok(())
}

fn engine_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") { "SQLite (embedded)" } else { "PostgreSQL" }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}

/// The demo authenticator secret as apps take it: base 32, in fours.
fn demo_totp_base32() -> String {
    let secret = totp_rs::Secret::from(demo::DEMO_TOTP_SECRET.to_vec()).to_base32();
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

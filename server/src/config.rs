//! Typed, layered configuration: defaults, then an optional TOML file, then
//! environment variables (`DATABASE_URL`, and `PORTICO_*` for the rest).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://path/to/file.db` (the embedded default) or `postgres://…`.
    pub database_url: String,
    pub database_max_connections: u32,
    /// Where the HTTP server listens.
    pub bind: SocketAddr,
    /// The address people reach Portico at. Links in emails and letters are
    /// built from this, never from a request's Host header, and the `Origin`
    /// of state-changing requests must match it.
    pub public_base_url: Url,
    /// The built browser app (`scripts/build-web` writes it).
    pub site_dir: PathBuf,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Outgoing mail (`smtp://host:port`, `smtps://user:pass@host`, or
    /// `smtp://host?tls=required` for STARTTLS); when absent, mail lands in
    /// the development outbox that the staff console shows.
    pub smtp_url: Option<String>,
    /// The sender of every email Portico sends.
    pub mail_from: String,
    /// A GOV.UK Notify API key (`{name}-{service id}-{secret}`) for text
    /// messages; when absent, texts land in the development outbox.
    pub notify_api_key: Option<String>,
    /// Notify's API; a stand-in on loopback in tests.
    pub notify_base_url: Url,
    /// The Notify SMS template for invitations (its text is in the README).
    pub notify_sms_invitation_template_id: Option<String>,
    /// `smtp` (the default; the development outbox without `smtp_url`) or
    /// `notify`: email through Notify's API with `notify_email_template_id`.
    pub email_provider: EmailProvider,
    /// A Notify email template whose subject is `((subject))` and whose body
    /// is `((body))`: Portico writes every email's words itself.
    pub notify_email_template_id: Option<String>,
    /// Messages handed to Notify in any 60 seconds, across every instance
    /// (Notify allows 3,000 a minute per key; 0 means no pacing).
    pub notify_messages_per_minute: u32,
    /// The bearer token Notify sends with delivery receipts (set the same in
    /// Notify's callback settings); receipts are refused without it.
    pub notify_callback_token: Option<String>,
    /// Texts and emails one instance sends at once.
    pub outbox_senders: usize,
    /// Seconds a worker holds a claimed message or campaign chunk; one that
    /// dies frees it after this. Keep it well above Notify's 15-second timeout.
    pub claim_lease_secs: u64,
    /// Records a campaign worker issues in one transaction (and letters in one PDF).
    pub campaign_chunk_size: usize,
    /// Chunks one instance works on at once.
    pub campaign_workers: usize,
    /// A campaign issues its next chunk only while fewer of its messages than
    /// this wait in the outbox, so codes do not age in a queue and a pause
    /// holds little (0: no limit).
    pub campaign_backlog: u64,
    /// The key for hashing invitation codes (64+ hex digits); see `secrets`.
    pub secret_key: Option<String>,
    /// How long invitations last, per channel.
    #[serde(flatten)]
    pub invitations: crate::invitations::ExpirySettings,
    /// Password hashes computed at once; each takes ~19 MiB and one core.
    pub password_hash_concurrency: usize,
    /// The HL7 v2 (MLLP) listener, off unless `mllp_bind` is set.
    #[serde(flatten)]
    pub mllp: crate::feeds::hl7::MllpSettings,
    /// Signing in with NHS login, off unless its issuer, client id and key are set.
    #[serde(flatten)]
    pub nhs_login: crate::nhs_login::NhsLoginSettings,
    /// Zero bits a join page's proof of work asks for (each one doubles the work).
    pub join_proof_of_work_bits: u32,
    /// Join forms one client address may send in an hour.
    pub join_sign_ups_per_address: i64,
    /// Join forms for one email address in a day.
    pub join_sign_ups_per_email: i64,
    /// When notifications go: the coalescing window, the digest's hour.
    #[serde(flatten)]
    pub notifications: crate::notifications::NotificationSettings,
    /// Runs Portico's clock this many days ahead of the system's (0, the
    /// default: the system's). For rehearsals on a copy of the data and the
    /// browser journeys that let days pass; never in production.
    pub clock_offset_days: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailProvider {
    Smtp,
    Notify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        let bind = SocketAddr::from(([127, 0, 0, 1], 8080));
        Self {
            database_url: "sqlite://portico.db".into(),
            database_max_connections: 8,
            bind,
            public_base_url: default_base_url(),
            site_dir: PathBuf::from("target/site"),
            log_format: LogFormat::Pretty,
            smtp_url: None,
            mail_from: "Portico <no-reply@portico.localhost>".into(),
            notify_api_key: None,
            notify_base_url: notify_base_url(),
            notify_sms_invitation_template_id: None,
            email_provider: EmailProvider::Smtp,
            notify_email_template_id: None,
            notify_messages_per_minute: 3_000,
            notify_callback_token: None,
            outbox_senders: 4,
            claim_lease_secs: 120,
            campaign_chunk_size: 1_000,
            campaign_workers: 2,
            campaign_backlog: 2_000,
            secret_key: None,
            invitations: crate::invitations::ExpirySettings::default(),
            password_hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            mllp: crate::feeds::hl7::MllpSettings::default(),
            nhs_login: crate::nhs_login::NhsLoginSettings::default(),
            join_proof_of_work_bits: 18,
            join_sign_ups_per_address: 10,
            join_sign_ups_per_email: 3,
            notifications: crate::notifications::NotificationSettings::default(),
            clock_offset_days: 0,
        }
    }
}

#[allow(clippy::expect_used)] // a literal that always parses
fn default_base_url() -> Url {
    Url::parse("http://127.0.0.1:8080/").expect("the default base URL is a valid URL")
}

#[allow(clippy::expect_used)] // a literal that always parses
fn notify_base_url() -> Url {
    Url::parse("https://api.notifications.service.gov.uk/").expect("Notify's address is a valid URL")
}

impl Settings {
    /// Loads settings: defaults < `config_file` (if given) < environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            anyhow::ensure!(path.exists(), "config file {} does not exist", path.display());
            figment = figment.merge(Toml::file(path));
        }
        figment
            .merge(Env::prefixed("PORTICO_").ignore(&["config"]))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .extract()
            .context("invalid configuration")
    }

    /// Whether cookies must carry `Secure` (and may use the `__Host-` prefix).
    pub fn served_over_tls(&self) -> bool {
        self.public_base_url.scheme() == "https"
    }

    /// How long a claim on a message or a campaign chunk lasts (at least 5 seconds).
    pub fn claim_lease(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.claim_lease_secs.clamp(5, 3_600)).unwrap_or(120))
    }

    /// The origin (`scheme://host:port`) browsers send in `Origin`.
    pub fn public_origin(&self) -> String {
        self.public_base_url.origin().ascii_serialization()
    }
}

/// Secrets (an SMTP password inside its URL) never reach logs.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_base_url", &self.public_base_url.as_str())
            .field("site_dir", &self.site_dir)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("notify_api_key", &self.notify_api_key.as_ref().map(|_| "***"))
            .field("notify_base_url", &self.notify_base_url.as_str())
            .field("notify_sms_invitation_template_id", &self.notify_sms_invitation_template_id)
            .field("email_provider", &self.email_provider)
            .field("notify_email_template_id", &self.notify_email_template_id)
            .field("notify_messages_per_minute", &self.notify_messages_per_minute)
            .field("notify_callback_token", &self.notify_callback_token.as_ref().map(|_| "***"))
            .field("outbox_senders", &self.outbox_senders)
            .field("claim_lease_secs", &self.claim_lease_secs)
            .field("campaign_chunk_size", &self.campaign_chunk_size)
            .field("campaign_workers", &self.campaign_workers)
            .field("campaign_backlog", &self.campaign_backlog)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("invitations", &self.invitations)
            .field("mllp", &self.mllp)
            .field("nhs_login", &self.nhs_login)
            .field("join_proof_of_work_bits", &self.join_proof_of_work_bits)
            .field("join_sign_ups_per_address", &self.join_sign_ups_per_address)
            .field("join_sign_ups_per_email", &self.join_sign_ups_per_email)
            .field("notifications", &self.notifications)
            .field("clock_offset_days", &self.clock_offset_days)
            .finish_non_exhaustive()
    }
}

fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment's large error
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portico.toml",
                "bind = \"0.0.0.0:9000\"\npublic_base_url = \"https://portico.example/\"\ndatabase_url = \"sqlite://file.db\"",
            )?;
            jail.set_env("DATABASE_URL", "postgres://db.internal/portico");
            jail.set_env("PORTICO_DATABASE_MAX_CONNECTIONS", "20");
            let s = Settings::load(Some(Path::new("portico.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
            assert_eq!(s.database_url, "postgres://db.internal/portico");
            assert_eq!(s.database_max_connections, 20);
            assert!(s.served_over_tls());
            assert_eq!(s.site_dir, PathBuf::from("target/site"));
            Ok(())
        });
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTICO_BIND", "not an address");
            let err = Settings::load(None).err().ok_or("accepted a bad address")?;
            assert!(format!("{err:#}").contains("BIND"), "{err:#}");
            assert!(Settings::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn redacts_passwords_in_urls() {
        let shown = redact_url("postgres://portico:s3cret@db.internal/portico");
        assert!(!shown.contains("s3cret"));
        assert!(shown.contains("***"));
    }

    #[test]
    fn origin_has_no_path() {
        let s = Settings {
            public_base_url: Url::parse("https://portico.example.nhs.uk/app/").unwrap(),
            ..Settings::default()
        };
        assert_eq!(s.public_origin(), "https://portico.example.nhs.uk");
        assert!(s.served_over_tls());
    }
}

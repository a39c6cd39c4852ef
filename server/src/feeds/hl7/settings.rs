//! The MLLP listener's settings, part of Portico's `Settings` (flattened:
//! `mllp_bind` in the file, `PORTICO_MLLP_BIND` in the environment).

use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};

/// Off unless `mllp_bind` is set. MLLP has no authentication of its own:
/// whoever reaches the port can write patient records into the feed key's
/// team, so the listener binds only to loopback or private addresses unless
/// `mllp_allow_public_bind` says otherwise (put TLS, a VPN or a firewall in
/// front of it in any case).
#[derive(Clone, Serialize, Deserialize)]
pub struct MllpSettings {
    /// Where the HL7 v2 listener listens (2575 is MLLP's registered port).
    pub mllp_bind: Option<SocketAddr>,
    /// The feed key (`portico_fk_…`) whose team the messages feed: a team
    /// admin makes it in Portico and can revoke it, which stops the feed.
    pub mllp_feed_key: Option<String>,
    /// The largest message taken; larger ones are answered AR.
    pub mllp_max_message_bytes: usize,
    /// Connections served at once; more are closed as they arrive.
    pub mllp_max_connections: usize,
    /// A connection with no message for this long is closed.
    pub mllp_idle_timeout_secs: u64,
    /// A message must arrive whole within this long of its start block.
    pub mllp_frame_timeout_secs: u64,
    /// Allow binding an address that is neither loopback nor private.
    pub mllp_allow_public_bind: bool,
}

impl Default for MllpSettings {
    fn default() -> Self {
        Self {
            mllp_bind: None,
            mllp_feed_key: None,
            mllp_max_message_bytes: 1024 * 1024,
            mllp_max_connections: 32,
            mllp_idle_timeout_secs: 600,
            mllp_frame_timeout_secs: 30,
            mllp_allow_public_bind: false,
        }
    }
}

/// The feed key never reaches logs.
impl std::fmt::Debug for MllpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MllpSettings")
            .field("mllp_bind", &self.mllp_bind)
            .field("mllp_feed_key", &self.mllp_feed_key.as_ref().map(|_| "***"))
            .field("mllp_max_message_bytes", &self.mllp_max_message_bytes)
            .field("mllp_max_connections", &self.mllp_max_connections)
            .finish_non_exhaustive()
    }
}

/// Loopback, private (RFC 1918, unique local) and link-local addresses.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or_default();
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// A listener to start: where, for which feed key, within which limits.
#[derive(Debug, Clone)]
pub struct Listening {
    pub bind: SocketAddr,
    pub feed_key: String,
    pub max_message_bytes: usize,
    pub max_connections: usize,
    pub idle_timeout: std::time::Duration,
    pub frame_timeout: std::time::Duration,
}

impl MllpSettings {
    /// What to start, if anything, or why these settings cannot be used.
    pub fn listening(&self) -> anyhow::Result<Option<Listening>> {
        let Some(bind) = self.mllp_bind else { return Ok(None) };
        let feed_key = self.mllp_feed_key.as_deref().map(str::trim).unwrap_or_default();
        anyhow::ensure!(
            feed_key.starts_with(crate::feeds::keys::KEY_PREFIX),
            "PORTICO_MLLP_BIND is set, so PORTICO_MLLP_FEED_KEY must name the feed key (portico_fk_…) of the team the messages feed"
        );
        anyhow::ensure!(
            self.mllp_allow_public_bind || is_private(bind.ip()),
            "PORTICO_MLLP_BIND {bind} is not a loopback or private address: MLLP has no authentication, so bind it \
             to a private network (or set PORTICO_MLLP_ALLOW_PUBLIC_BIND=true behind a firewall or VPN)"
        );
        anyhow::ensure!(
            (1024..=64 * 1024 * 1024).contains(&self.mllp_max_message_bytes),
            "PORTICO_MLLP_MAX_MESSAGE_BYTES must be between 1024 and 67108864"
        );
        anyhow::ensure!(self.mllp_max_connections >= 1, "PORTICO_MLLP_MAX_CONNECTIONS must be at least 1");
        anyhow::ensure!(
            self.mllp_idle_timeout_secs >= 1 && self.mllp_frame_timeout_secs >= 1,
            "the MLLP timeouts must be at least a second"
        );
        Ok(Some(Listening {
            bind,
            feed_key: feed_key.to_owned(),
            max_message_bytes: self.mllp_max_message_bytes,
            max_connections: self.mllp_max_connections,
            idle_timeout: std::time::Duration::from_secs(self.mllp_idle_timeout_secs),
            frame_timeout: std::time::Duration::from_secs(self.mllp_frame_timeout_secs),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(bind: &str, key: Option<&str>) -> MllpSettings {
        MllpSettings {
            mllp_bind: Some(bind.parse().unwrap()),
            mllp_feed_key: key.map(str::to_owned),
            ..MllpSettings::default()
        }
    }

    const KEY: &str = "portico_fk_0123";

    #[test]
    fn off_by_default() {
        assert!(MllpSettings::default().listening().unwrap().is_none());
    }

    #[test]
    fn private_addresses_only_unless_allowed() {
        for ok in ["127.0.0.1:2575", "10.1.2.3:2575", "192.168.0.9:0", "[::1]:2575", "[fd00::1]:2575"] {
            assert!(with(ok, Some(KEY)).listening().unwrap().is_some(), "{ok}");
        }
        for public in ["0.0.0.0:2575", "8.8.8.8:2575", "[::]:2575", "[2001:db8::1]:2575"] {
            let err = with(public, Some(KEY)).listening().unwrap_err().to_string();
            assert!(err.contains("not a loopback or private address"), "{err}");
            let allowed = MllpSettings { mllp_allow_public_bind: true, ..with(public, Some(KEY)) };
            assert!(allowed.listening().unwrap().is_some());
        }
    }

    #[test]
    fn a_listener_needs_its_feed_key() {
        assert!(with("127.0.0.1:0", None).listening().is_err());
        assert!(with("127.0.0.1:0", Some("secret")).listening().is_err());
        let shown = format!("{:?}", with("127.0.0.1:0", Some(KEY)));
        assert!(!shown.contains(KEY), "{shown}");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closures return figment's large error
    fn settings_come_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTICO_MLLP_BIND", "127.0.0.1:2575");
            jail.set_env("PORTICO_MLLP_FEED_KEY", KEY);
            jail.set_env("PORTICO_MLLP_MAX_MESSAGE_BYTES", "65536");
            let settings = crate::config::Settings::load(None).map_err(|e| e.to_string())?;
            let listening = settings.mllp.listening().map_err(|e| e.to_string())?.ok_or("off")?;
            assert_eq!(listening.bind.to_string(), "127.0.0.1:2575");
            assert_eq!(listening.max_message_bytes, 65536);
            assert_eq!(listening.max_connections, 32);
            assert!(!format!("{settings:?}").contains(KEY));
            Ok(())
        });
    }
}

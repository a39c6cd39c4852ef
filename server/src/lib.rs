//! Portico's server: the JSON API under `/api/v1`, sessions, persistence and
//! the browser app's files.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod carers;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod feeds;
pub mod http;
pub mod invitations;
pub mod kiosk;
pub mod mail;
pub mod nhs_login;
pub mod notifications;
pub mod records;
pub mod registration;
pub mod reports;
pub mod secrets;
pub mod self_registration;
pub mod sms;
pub mod staff;
pub mod state;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::Db;
use crate::state::AppState;

/// A server bound to its port (and the HL7 listener to its own, if
/// configured), ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    mllp: Option<feeds::hl7::Listener>,
    delivery: mail::worker::Delivery,
}

impl Server {
    /// Connects to and migrates the database, then binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let clock: Arc<dyn Clock> = match settings.clock_offset_days {
            0 => Arc::new(SystemClock),
            days => {
                tracing::warn!(days, "the clock runs ahead of the system's (clock_offset_days): not for production");
                Arc::new(clock::AheadClock(time::Duration::days(days)))
            }
        };
        Self::build_with_clock(settings, clock).await
    }

    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url, settings.database_max_connections).await?;
        let listener = TcpListener::bind(settings.bind).await?;
        Self::build_on(settings, clock, db, listener).await
    }

    /// As [`Self::build_with_clock`], serving on `listener`, bound already:
    /// a caller that must know the port before the settings are made (the
    /// public base URL names it) keeps it bound, so nothing else takes it
    /// in between.
    pub async fn build_with_listener(
        settings: Settings,
        clock: Arc<dyn Clock>,
        listener: std::net::TcpListener,
    ) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url, settings.database_max_connections).await?;
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        Self::build_on(settings, clock, db, listener).await
    }

    async fn build_on(
        settings: Settings,
        clock: Arc<dyn Clock>,
        db: Db,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let mllp = match settings.mllp.listening()? {
            Some(limits) => {
                let feed_key = limits.feed_key.clone();
                let ctx = feeds::hl7::Context { db: db.clone(), clock: clock.clone(), feed_key };
                Some(feeds::hl7::Listener::bind(limits, ctx).await?)
            }
            None => None,
        };
        let keys = secrets::Keys::load(&db, settings.secret_key.as_deref(), clock.now()).await?;
        let delivery = mail::worker::Delivery::from_settings(&settings)?;
        let nhs_login = match settings.nhs_login.configured(&settings.public_base_url)? {
            Some(configured) => Some(nhs_login::Provider::new(configured)?),
            None => None,
        };
        let mut state = AppState::new(db, settings, clock, keys);
        if let Some(provider) = nhs_login {
            state = state.with_nhs_login(provider);
        }
        Ok(Self { listener, state, mllp, delivery })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where the HL7 (MLLP) listener listens, when it is on.
    pub fn mllp_local_addr(&self) -> Option<SocketAddr> {
        self.mllp.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets requests (and HL7
    /// messages) in flight finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let app = http::router(self.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(sweep_expired_sessions(self.state.clone()));
        tokio::spawn(feeds::csv::imports::sweep_every_few_minutes(self.state.db.clone(), self.state.clock.clone()));
        tokio::spawn(invitations::expire_every_few_minutes(self.state.db.clone(), self.state.clock.clone()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mail_worker = tokio::spawn(mail::worker::run(
            self.state.db.clone(),
            self.state.clock.clone(),
            self.delivery,
            stopped.clone(),
        ));
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let campaign_worker = tokio::spawn(campaigns::worker::run(self.state.clone(), stopped.clone()));
        tokio::spawn(carers::coming_of_age::run_every_few_minutes(self.state.clone()));
        let mllp = self.mllp.map(|listener| tokio::spawn(listener.run(stopped.clone())));
        let notifications_worker = tokio::spawn(notifications::worker::run(self.state.clone(), stopped.clone()));
        let mut http_stopped = stopped;
        axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                let _ = http_stopped.wait_for(|stopped| *stopped).await;
            })
            .await?;
        if let Some(mllp) = mllp {
            mllp.await?;
        }
        mail_worker.await?;
        campaign_worker.await?;
        notifications_worker.await?;
        Ok(())
    }
}

/// Deletes expired sessions every few minutes, so the table does not grow.
async fn sweep_expired_sessions(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        if let Err(err) = auth::sessions::delete_expired(&state.db, state.now()).await {
            tracing::warn!(error = %err, "could not sweep expired sessions");
        }
    }
}

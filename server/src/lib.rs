//! Portico's server: the JSON API under `/api/v1`, sessions, persistence and
//! the browser app's files.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod feeds;
pub mod http;
pub mod records;
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

/// A server bound to its port, ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Connects to and migrates the database, then binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url, settings.database_max_connections).await?;
        let listener = TcpListener::bind(settings.bind).await?;
        Ok(Self { listener, state: AppState::new(db, settings, clock) })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let app = http::router(self.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(sweep_expired_sessions(self.state.clone()));
        tokio::spawn(feeds::csv::imports::sweep_every_few_minutes(self.state.db.clone(), self.state.clock.clone()));
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await?;
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

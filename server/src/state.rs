//! What every handler can reach.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::auth::passwords::PasswordHasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let hasher = PasswordHasher::new(settings.password_hash_concurrency);
        Self { db, settings: Arc::new(settings), clock, hasher }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

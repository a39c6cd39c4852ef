//! What every handler can reach.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::auth::passwords::PasswordHasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::secrets::Keys;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub keys: Arc<Keys>,
    /// The NHS login relying party, when NHS login is configured.
    pub nhs_login: Option<Arc<crate::nhs_login::Provider>>,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, clock: Arc<dyn Clock>, keys: Keys) -> Self {
        let hasher = PasswordHasher::new(settings.password_hash_concurrency);
        Self { db, settings: Arc::new(settings), clock, hasher, keys: Arc::new(keys), nhs_login: None }
    }

    /// The same state, signing in with NHS login through `provider`.
    pub fn with_nhs_login(self, provider: crate::nhs_login::Provider) -> Self {
        Self { nhs_login: Some(Arc::new(provider)), ..self }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

//! The database: one pool over either engine, migrations per engine, and the
//! few places where the two engines must be told apart.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::AnyArguments;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Arguments as _, Executor as _, Transaction};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which engine a `DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:")
        }
    }
}

impl Engine {
    /// ` FOR UPDATE` on PostgreSQL, to lock the rows a transaction read; on
    /// SQLite nothing (`begin_write` already holds the one write lock).
    pub fn for_update(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    /// Rows per multi-row `INSERT … VALUES` of `columns` values each. SQLite
    /// prepares a statement in time that grows faster than its parameter count
    /// (measured: 1,000 rows x 15 values, 5x slower per row than 50 rows x 15),
    /// so it gets about a thousand values a statement; PostgreSQL pays a round
    /// trip per statement, so it gets 1,000 rows, within its 65,535 parameters.
    pub fn rows_per_statement(self, columns: usize) -> usize {
        let columns = columns.max(1);
        match self {
            Engine::Sqlite => (1_000 / columns).max(1),
            Engine::Postgres => (65_535 / columns).min(1_000),
        }
    }
}

/// The shared handle every store function takes.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
}

pub type Tx = Transaction<'static, sqlx::Any>;

impl Db {
    /// Connects, creating the SQLite file if missing, and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url)?;
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).context("DATABASE_URL is not a valid database URL")?;
        let pool_options =
            AnyPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(10));
        let pool_options = match engine {
            // Set on every connection: these pragmas are per connection, except
            // journal_mode which the file keeps. NORMAL with WAL survives a
            // process kill (not a power cut); busy_timeout lets writers queue.
            Engine::Sqlite => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Engine::Postgres => pool_options,
        };
        let pool = pool_options.connect_with(options).await.context("could not connect to the database")?;
        let db = Self { pool, engine };
        db.migrate().await?;
        if engine == Engine::Sqlite {
            db.check_wal().await?;
        }
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.context("database migration failed")?;
        Ok(())
    }

    async fn check_wal(&self) -> anyhow::Result<()> {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&self.pool).await?;
        anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "SQLite journal mode is {mode}, expected wal");
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`), so two writers queue on busy_timeout rather
    /// than one failing with SQLITE_BUSY when it upgrades from reading.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// Answers whether the database takes queries now (for `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
}

/// A value bound to a [`Statement`].
#[derive(Debug, Clone)]
pub enum Param {
    Text(Option<String>),
    Int(i64),
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Self::Text(Some(value))
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Self::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

/// SQL built at run time with numbered `$n` placeholders, which both engines
/// read. (sqlx's `QueryBuilder` writes `?` for the `Any` driver, which
/// PostgreSQL refuses.) Values are always bound, never spliced into the text.
#[derive(Debug)]
pub struct Statement {
    sql: String,
    params: Vec<Param>,
    /// `$` reads on both engines; `?` (SQLite's numbered form) only on SQLite.
    placeholder: char,
}

impl Statement {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_owned(), params: Vec::new(), placeholder: '$' }
    }

    /// A statement for one engine, for statements with thousands of values:
    /// SQLite reads `$n` as a *named* parameter and looks each name up in a
    /// list, which makes a statement of n parameters cost n² to prepare
    /// (1.6 s for 15,000); its numbered form `?n` costs n.
    pub fn for_engine(engine: Engine, sql: &str) -> Self {
        let placeholder = if engine == Engine::Sqlite { '?' } else { '$' };
        Self { placeholder, ..Self::new(sql) }
    }

    /// Appends SQL text. Only ever literal text from the code, never input.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        self.params.push(value.into());
        self.sql.push(self.placeholder);
        self.sql.push_str(&self.params.len().to_string());
        self
    }

    /// Appends `(…, …)` with a placeholder per value: the right side of `IN`.
    pub fn bind_list<T: Into<Param>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        self.sql.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(value);
        }
        self.sql.push(')');
        self
    }

    /// Appends `VALUES (…), (…)`: one parenthesised row per item.
    pub fn values<T>(&mut self, rows: impl IntoIterator<Item = T>, mut row: impl FnMut(&mut Row<'_>, T)) -> &mut Self {
        self.sql.push_str("VALUES ");
        for (i, item) in rows.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            row(&mut Row { statement: self, first: true }, item);
            self.sql.push(')');
        }
        self
    }

    fn into_parts(self) -> Result<(sqlx::AssertSqlSafe<String>, AnyArguments), sqlx::Error> {
        let mut arguments = AnyArguments::default();
        for param in self.params {
            match param {
                Param::Text(text) => arguments.add(text),
                Param::Int(int) => arguments.add(int),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok((sqlx::AssertSqlSafe(self.sql), arguments))
    }

    pub fn query(self) -> Result<sqlx::query::Query<'static, sqlx::Any, AnyArguments>, sqlx::Error> {
        let (sql, arguments) = self.into_parts()?;
        Ok(sqlx::query_with(sql, arguments))
    }

    pub fn query_scalar<O>(self) -> Result<sqlx::query::QueryScalar<'static, sqlx::Any, O, AnyArguments>, sqlx::Error>
    where
        (O,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let (sql, arguments) = self.into_parts()?;
        Ok(sqlx::query_scalar_with(sql, arguments))
    }

    pub fn query_as<O>(self) -> Result<sqlx::query::QueryAs<'static, sqlx::Any, O, AnyArguments>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let (sql, arguments) = self.into_parts()?;
        Ok(sqlx::query_as_with(sql, arguments))
    }
}

/// One row of [`Statement::values`].
pub struct Row<'a> {
    statement: &'a mut Statement,
    first: bool,
}

impl Row<'_> {
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        if !self.first {
            self.statement.sql.push_str(", ");
        }
        self.first = false;
        self.statement.bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders() {
        let mut s = Statement::new("INSERT INTO t (a, b) ");
        s.values([1_i64, 2], |row, n| {
            row.bind(n).bind(format!("v{n}"));
        });
        s.push(" RETURNING a");
        assert_eq!(s.sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING a");
        assert_eq!(s.params.len(), 4);
    }

    #[test]
    fn sqlite_statements_use_its_numbered_placeholders() {
        let mut s = Statement::for_engine(Engine::Sqlite, "SELECT ");
        s.bind(1_i64).push(", ").bind(2_i64);
        assert_eq!(s.sql, "SELECT ?1, ?2");
        let mut s = Statement::new("SELECT 1 WHERE a IN ");
        s.bind_list(["x", "y", "z"]);
        assert_eq!(s.sql, "SELECT 1 WHERE a IN ($1, $2, $3)");
        let mut s = Statement::for_engine(Engine::Postgres, "SELECT ");
        s.bind(1_i64);
        assert_eq!(s.sql, "SELECT $1");
    }
}

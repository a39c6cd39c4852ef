//! What an import is measured against: the synthetic patients, and the
//! fastest plain batched INSERT of the same rows an import writes (a record,
//! its first version, its team membership), in transactions of 1,000
//! patients, with every value prepared before the clock starts.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use portico_server::db::{Db, Engine, Statement};
use portico_server::records::details::PatientDetails;
use portico_types::{DateOfBirth, NhsNumber, Postcode};

/// Patients a transaction, as the imports' Bundles and batches.
pub const PER_TRANSACTION: usize = 1_000;

/// One synthetic patient, with a valid test NHS number from the 999 range.
#[derive(Debug, Clone)]
pub struct Patient {
    pub nhs: String,
    pub given: String,
    pub family: String,
    pub dob: String,
    pub address_line: &'static str,
    pub postcode: &'static str,
}

pub fn patients(count: usize) -> Vec<Patient> {
    (999_500_000u32..)
        .filter_map(NhsNumber::from_stem)
        .take(count)
        .enumerate()
        .map(|(i, nhs)| Patient {
            nhs: nhs.as_digits(),
            given: format!("Given{i}"),
            family: format!("Family{}", i % 977),
            dob: format!("{}-{:02}-{:02}", 1930 + i % 90, 1 + i % 12, 1 + i % 28),
            address_line: "1 Test Street",
            postcode: "LS1 4AP",
        })
        .collect()
}

/// A fresh database on `engine` for one measurement: a file named `file` in
/// `dir` for SQLite, a new database on the test server for PostgreSQL.
pub fn fresh_database(
    runtime: &tokio::runtime::Runtime,
    engine: Engine,
    dir: &std::path::Path,
    file: &str,
) -> anyhow::Result<String> {
    match engine {
        Engine::Sqlite => Ok(format!("sqlite://{}", dir.join(file).display())),
        Engine::Postgres => runtime.block_on(fresh_postgres(&crate::load::postgres_admin())),
    }
}

/// A fresh database on `admin`'s server, for one measurement.
pub async fn fresh_postgres(admin: &str) -> anyhow::Result<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(admin).await.context("PostgreSQL for the bench")?;
    let name = format!("portico_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await?;
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').context("admin URL has no database")?;
    Ok(format!("{base}/{name}"))
}

/// The rows of one patient, ready to bind: record id, snapshot.
struct Prepared<'a> {
    id: String,
    patient: &'a Patient,
    search_name: String,
    snapshot: String,
}

fn prepare(patient: &Patient) -> anyhow::Result<Prepared<'_>> {
    let details = PatientDetails {
        nhs_number: Some(NhsNumber::parse(&patient.nhs)?),
        given_name: patient.given.clone(),
        family_name: patient.family.clone(),
        date_of_birth: DateOfBirth::from_stored(&patient.dob)?,
        email: None,
        mobile: None,
        address_lines: vec![patient.address_line.to_owned()],
        postcode: Some(Postcode::parse(patient.postcode)?),
        gp_ods_code: None,
    };
    Ok(Prepared {
        id: uuid::Uuid::now_v7().to_string(),
        patient,
        search_name: details.search_name(),
        snapshot: serde_json::to_string(&details)?,
    })
}

const AT: &str = "2026-11-25T00:00:00.000000Z";

/// Inserts `patients` into a migrated, empty database at `database_url` the
/// plainest fast way, and answers how long the inserts took.
pub async fn raw_insert(database_url: &str, patients: &[Patient]) -> anyhow::Result<Duration> {
    let db = Db::connect(database_url, 2).await?;
    let team = team(&db).await?;
    let prepared = patients.iter().map(prepare).collect::<anyhow::Result<Vec<_>>>()?;
    let engine = db.engine;
    let started = Instant::now();
    for batch in prepared.chunks(PER_TRANSACTION) {
        let mut tx = db.begin_write().await?;
        for rows in batch.chunks(engine.rows_per_statement(15)) {
            let mut insert = Statement::for_engine(
                engine,
                "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, \
                 mobile, address_lines, postcode, gp_ods_code, version, source_updated_at, created_at, updated_at) ",
            );
            insert.values(rows, |row, p| {
                row.bind(p.id.as_str())
                    .bind(p.patient.nhs.as_str())
                    .bind(p.patient.given.as_str())
                    .bind(p.patient.family.as_str())
                    .bind(p.search_name.as_str())
                    .bind(p.patient.dob.as_str())
                    .bind(None::<String>)
                    .bind(None::<String>)
                    .bind(p.patient.address_line)
                    .bind(p.patient.postcode)
                    .bind(None::<String>)
                    .bind(1_i64)
                    .bind(None::<String>)
                    .bind(AT)
                    .bind(AT);
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        for rows in batch.chunks(engine.rows_per_statement(5)) {
            let mut insert = Statement::for_engine(
                engine,
                "INSERT INTO record_versions (record_id, version, changed_at, changed_by, snapshot) ",
            );
            insert.values(rows, |row, p| {
                row.bind(p.id.as_str()).bind(1_i64).bind(AT).bind("bench").bind(p.snapshot.as_str());
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        for rows in batch.chunks(engine.rows_per_statement(3)) {
            let mut insert = Statement::for_engine(engine, "INSERT INTO team_records (team_id, record_id, added_at) ");
            insert.values(rows, |row, p| {
                row.bind(team.as_str()).bind(p.id.as_str()).bind(AT);
            });
            insert.query()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let elapsed = started.elapsed();
    db.pool.close().await;
    Ok(elapsed)
}

/// The one team the baseline's records belong to.
async fn team(db: &Db) -> anyhow::Result<String> {
    let (organisation, team) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
    sqlx::query("INSERT INTO organisations (id, ods_code, name, created_at) VALUES ($1, 'XBENCH', 'Bench', $2)")
        .bind(&organisation)
        .bind(AT)
        .execute(&db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO teams (id, organisation_id, slug, name, created_at) VALUES ($1, $2, 'bench', 'Bench', $3)",
    )
    .bind(&team)
    .bind(&organisation)
    .bind(AT)
    .execute(&db.pool)
    .await?;
    Ok(team)
}

/// The database URLs for one engine's two measurements (baseline, import).
pub fn databases(
    runtime: &tokio::runtime::Runtime,
    engine: Engine,
    dir: &std::path::Path,
    admin: &str,
) -> anyhow::Result<(String, String)> {
    Ok(match engine {
        Engine::Sqlite => (
            format!("sqlite://{}", dir.join("raw.db").display()),
            format!("sqlite://{}", dir.join("import.db").display()),
        ),
        Engine::Postgres => (runtime.block_on(fresh_postgres(admin))?, runtime.block_on(fresh_postgres(admin))?),
    })
}

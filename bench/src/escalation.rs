//! Reminder escalation's figure: records per second through a plan's
//! reminder step (a text 14 days after the first send) over a cohort of (by
//! default) 1,000,000 records, against a plain text-message campaign over
//! the same records, in the same run on the same database.
//!
//! The three runs, in order: the plain campaign (the baseline); its
//! invitations, messages and audit events cleared, a campaign with a plan
//! (its first send writes each record's history too); then, the first
//! send's messages marked sent and fourteen days passed on the clock, the
//! plan's step: the stop rules read per record, a new code each, the live
//! code on the channel replaced, the history written.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_server::campaigns::{self, cohort, escalation};
use portico_server::clock::{Clock, ManualClock, SystemClock, stored};
use portico_server::config::Settings;
use portico_server::db::{Db, Engine};
use portico_server::secrets::Keys;
use portico_server::state::AppState;
use portico_types::api::{PlanRequest, PlanStepRequest};

use crate::baseline;
use crate::campaigns::{engines, seeded, sms_cohort};

pub fn report(cohort_size: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let dir = tempfile::tempdir()?;
    println!("\n## Reminder escalation: a plan's text-message step over a cohort of {cohort_size} records\n");
    println!(
        "| engine | plain campaign (records/s) | first send with a plan (records/s) | ratio | reminder step (records/s) | ratio |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for engine in engines() {
        let url = baseline::fresh_database(&runtime, engine, dir.path(), "escalation.db")?;
        let figures = runtime.block_on(rates(&url, cohort_size))?;
        let name = if engine == Engine::Sqlite { "SQLite" } else { "PostgreSQL" };
        println!(
            "| {name} | {:.0} | {:.0} | {:.2} | {:.0} | {:.2} |",
            figures.plain,
            figures.first,
            figures.first / figures.plain,
            figures.step,
            figures.step / figures.plain,
        );
    }
    Ok(())
}

struct Rates {
    plain: f64,
    first: f64,
    step: f64,
}

async fn rates(url: &str, count: usize) -> anyhow::Result<Rates> {
    let now = SystemClock.now();
    let (db, team, admin) = seeded(url, count, now).await?;
    if db.engine == Engine::Postgres {
        // As a live server's autovacuum would have by now (see `campaigns`).
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    let settings = Settings { campaign_backlog: 0, campaign_chunk_size: 1_000, ..Settings::default() };
    let clock = ManualClock::new(now);
    let keys = Keys::load(&db, None, now).await?;
    let state = AppState::new(db.clone(), settings, Arc::new(clock.clone()), keys);
    let asked = cohort::parse(&sms_cohort(None), now.date()).map_err(|e| anyhow::anyhow!("{e}"))?;

    let started = Instant::now();
    let plain = campaigns::start(&state, &team, "Plain", &asked, &admin).await?;
    campaigns::worker::work_until_idle(&state).await?;
    let plain_took = started.elapsed();
    ensure_issued(&db, &plain, count).await?;
    clear_invitations(&db).await?;

    let plan = escalation::plan::parse(&PlanRequest {
        steps: vec![PlanStepRequest { channel: "sms".into(), after_days: 14 }],
        max_messages: None,
    })
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let started = Instant::now();
    let planned = campaigns::start_with_plan(&state, &team, "Planned", &asked, Some(&plan), &admin).await?;
    campaigns::worker::work_until_idle(&state).await?;
    let first_took = started.elapsed();
    ensure_issued(&db, &planned, count).await?;

    // The first send's texts went; the campaign finishes; the step falls due.
    sqlx::query("UPDATE outbox SET sent_at = $1 WHERE sent_at IS NULL").bind(stored(now)).execute(&db.pool).await?;
    campaigns::worker::work_until_idle(&state).await?;
    clock.advance(time::Duration::days(14));
    let started = Instant::now();
    anyhow::ensure!(escalation::start_due_steps(&state).await? == 1, "the step did not start");
    campaigns::worker::work_until_idle(&state).await?;
    let step_took = started.elapsed();
    let step: String =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE plan_of = $1").bind(&planned).fetch_one(&db.pool).await?;
    ensure_issued(&db, &step, count).await?;
    let per_second = |took: Duration| count as f64 / took.as_secs_f64();
    Ok(Rates { plain: per_second(plain_took), first: per_second(first_took), step: per_second(step_took) })
}

async fn ensure_issued(db: &Db, campaign: &str, count: usize) -> anyhow::Result<()> {
    let issued: i64 =
        sqlx::query_scalar("SELECT issued FROM campaigns WHERE id = $1").bind(campaign).fetch_one(&db.pool).await?;
    anyhow::ensure!(issued == count as i64, "campaign {campaign} issued {issued} of {count}");
    Ok(())
}

/// Makes the cohort never invited again (the plain campaign's rows go).
async fn clear_invitations(db: &Db) -> anyhow::Result<()> {
    match db.engine {
        Engine::Postgres => {
            sqlx::query("TRUNCATE audit_events, outbox, invitations CASCADE").execute(&db.pool).await?;
        }
        Engine::Sqlite => {
            for table in ["audit_events", "outbox", "invitations"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&db.pool).await?;
            }
        }
    }
    Ok(())
}

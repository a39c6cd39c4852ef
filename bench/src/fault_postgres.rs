//! PostgreSQL restarted under load: a private cluster (Debian's `initdb` and
//! `pg_ctl`, in a temporary directory, on a free loopback port; never the
//! machine's own server), one `portico` on it, the load mix running, and
//! `pg_ctl restart -m fast` in the middle. Counted: requests that failed
//! while it restarted, how long until requests succeeded again, and whether
//! every registration that was answered as done is still there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::faults::{Outcome, doubles, half_made};
use crate::journeys::Site;
use crate::load::is_error;
use crate::server::{Launch, free_port};

/// A PostgreSQL cluster of the battery's own, stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// Runs a PostgreSQL tool as the `postgres` user when we are root (the
/// server refuses to run as root), as ourselves otherwise.
fn tool(bin: &Path, name: &str) -> Command {
    let program = bin.join(name);
    if std::env::var("USER").as_deref() == Ok("root") || is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:")).map(|u| u.split_whitespace().next() == Some("0")))
        .unwrap_or(false)
}

fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command.stdin(Stdio::null()).output().with_context(|| format!("running {what}"))?;
    anyhow::ensure!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    Ok(())
}

impl Cluster {
    pub fn start() -> anyhow::Result<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .context("no PostgreSQL under /usr/lib/postgresql")?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").exists())
            .max()
            .context("no initdb under /usr/lib/postgresql/*/bin")?;
        let dir = tempfile::Builder::new().prefix("portico-battery-pg").tempdir()?;
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:postgres").arg(dir.path());
                    c
                },
                "chown",
            )?;
        }
        let data = dir.path().join("data");
        let mut initdb = tool(&bin, "initdb");
        initdb.args(["--auth=trust", "--username=postgres", "--no-sync", "-D"]).arg(&data);
        run(initdb, "initdb")?;
        let cluster = Self { bin, port: free_port()?, dir };
        let mut start = cluster.pg_ctl("start");
        start.arg("-o").arg(format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=on",
            cluster.port,
            cluster.dir.path().display()
        ));
        run(start, "pg_ctl start")?;
        Ok(cluster)
    }

    fn pg_ctl(&self, action: &str) -> Command {
        let mut command = tool(&self.bin, "pg_ctl");
        command.args([action, "-w", "-t", "60", "-D"]).arg(self.dir.path().join("data"));
        command.arg("-l").arg(self.dir.path().join("log"));
        command
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl restart -m fast`: every connection is ended, the server stops
    /// and starts again.
    pub fn restart(&self) -> anyhow::Result<()> {
        let mut restart = self.pg_ctl("restart");
        restart.args(["-m", "fast"]);
        run(restart, "pg_ctl restart")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut stop = self.pg_ctl("stop");
        stop.args(["-m", "immediate"]);
        let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

pub async fn restart_under_load(binary: &Path, seconds: u64) -> anyhow::Result<Outcome> {
    let cluster = Cluster::start()?;
    let url = crate::baseline::fresh_postgres(&cluster.admin_url()).await?;
    let mut launch = Launch::new(&url)?;
    launch.records = 2_000;
    let running = launch.start(binary).await?;
    let site = Arc::new(Site::open(vec![launch.base()], &url).await?);
    // People to visit from the start.
    crate::load::mix(Arc::clone(&site), Instant::now() + Duration::from_secs(2)).await?;
    let _ = site.calls.take();
    let started = Instant::now();
    let load = tokio::spawn(crate::load::mix(Arc::clone(&site), started + Duration::from_secs(seconds)));
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    let restart_at = Instant::now();
    let restarted = tokio::task::spawn_blocking(move || cluster.restart().map(|()| cluster)).await??;
    let restart_took = restart_at.elapsed();
    load.await??;
    let calls: Vec<_> = site.calls.take().into_values().flatten().collect();
    let failed: Vec<_> = calls.iter().filter(|c| is_error(c.status)).collect();
    let last_failure = failed.iter().map(|c| c.at + c.took).max();
    let back_after = last_failure.map_or(0.0, |end| end.saturating_duration_since(restart_at).as_secs_f64());
    // Every account whose registration was answered as done is still there.
    let registered: Vec<String> =
        site.accounts.lock().map(|a| a.iter().map(|a| a.email.clone()).collect()).unwrap_or_default();
    let mut lost = 0;
    for email in &registered {
        let there: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM accounts a JOIN records r ON r.owner_account_id = a.id WHERE a.email = $1",
        )
        .bind(email)
        .fetch_one(&site.db)
        .await?;
        if there != 1 {
            lost += 1;
        }
    }
    let doubled = doubles(&site.db).await?;
    let half = half_made(&site.db).await?;
    site.db.close().await;
    drop(running);
    drop(restarted);
    Ok(Outcome {
        fault: "PostgreSQL restarted (`pg_ctl restart -m fast`) under the load mix".into(),
        lost,
        doubled,
        back_after: Some(back_after),
        note: format!(
            "{} requests in {seconds} s, {} failed ({} of them after the restart began); the restart took {:.1} s; \
             {} registrations answered as done, all checked; {half} half-made accounts \
             (back after = restart begun to the last failed request's answer)",
            calls.len(),
            failed.len(),
            failed.iter().filter(|c| c.at + c.took >= restart_at).count(),
            restart_took.as_secs_f64(),
            registered.len(),
        ),
    })
}

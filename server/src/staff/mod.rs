//! Professionals, their organisation, and their roles in teams.

pub mod routes;

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_types::OdsCode;
use portico_types::api::{OrganisationSummary, Role, StaffProfile, TeamMembership, TeamSummary};

use crate::auth::extract::CurrentSession;
use crate::db::{Db, Engine};
use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in professional. Extracting it refuses patients with 403.
#[derive(Debug, Clone)]
pub struct Professional {
    pub account_id: String,
    pub organisation_id: String,
}

impl FromRequestParts<AppState> for Professional {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentSession(session) = CurrentSession::from_request_parts(parts, state).await?;
        let organisation_id: Option<String> =
            sqlx::query_scalar("SELECT organisation_id FROM professionals WHERE account_id = $1")
                .bind(&session.account_id)
                .fetch_optional(&state.db.pool)
                .await?;
        let organisation_id = organisation_id.ok_or(ApiError::Forbidden)?;
        Ok(Self { account_id: session.account_id, organisation_id })
    }
}

fn organisation(id: String, ods_code: &str, name: String) -> anyhow::Result<OrganisationSummary> {
    let ods_code = OdsCode::parse(ods_code).map_err(|e| anyhow::anyhow!("stored ODS code unreadable: {e}"))?;
    Ok(OrganisationSummary { id, ods_code, name })
}

fn roles_of(text: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = text.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles
}

/// The professional side of an account, or `None` for an account that is not staff.
/// Whether the account belongs to a professional (whatever their roles).
pub async fn is_professional(db: &Db, account_id: &str) -> Result<bool, sqlx::Error> {
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM professionals WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&db.pool)
        .await?;
    Ok(found > 0)
}

pub async fn profile(db: &Db, account_id: &str) -> anyhow::Result<Option<StaffProfile>> {
    let org: Option<(String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.ods_code, o.name FROM professionals p \
         JOIN organisations o ON o.id = p.organisation_id WHERE p.account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((org_id, ods_code, org_name)) = org else {
        return Ok(None);
    };
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.id, t.name, r.role FROM team_roles r JOIN teams t ON t.id = r.team_id \
         WHERE r.account_id = $1 ORDER BY t.name, r.role",
    )
    .bind(account_id)
    .fetch_all(&db.pool)
    .await?;
    let mut teams: BTreeMap<(String, String), Vec<Role>> = BTreeMap::new();
    for (team_id, team_name, role) in rows {
        teams.entry((team_name, team_id)).or_default().extend(Role::parse(&role));
    }
    Ok(Some(StaffProfile {
        organisation: organisation(org_id, &ods_code, org_name)?,
        teams: teams
            .into_iter()
            .map(|((team_name, team_id), roles)| TeamMembership { team_id, team_name, roles })
            .collect(),
    }))
}

type TeamRow = (String, String, String, String, String, String, String, i64);

fn team_summary(row: TeamRow) -> anyhow::Result<TeamSummary> {
    let (id, slug, name, org_id, ods_code, org_name, roles, record_count) = row;
    Ok(TeamSummary {
        id,
        slug,
        name,
        organisation: organisation(org_id, &ods_code, org_name)?,
        roles: roles_of(&roles),
        record_count: u64::try_from(record_count).unwrap_or(0),
    })
}

/// Selects teams (as `TeamRow`) matching `filter`, with the comma-joined roles
/// of professional `$1` in each, in each engine's dialect.
fn team_query(db: &Db, filter: &str) -> String {
    let join_roles = match db.engine {
        Engine::Sqlite => "GROUP_CONCAT(r.role, ',')",
        Engine::Postgres => "STRING_AGG(r.role, ',')",
    };
    format!(
        "SELECT t.id, t.slug, t.name, o.id, o.ods_code, o.name, \
         COALESCE((SELECT {join_roles} FROM team_roles r WHERE r.team_id = t.id AND r.account_id = $1), ''), \
         (SELECT COUNT(*) FROM team_records tr WHERE tr.team_id = t.id) \
         FROM teams t JOIN organisations o ON o.id = t.organisation_id \
         WHERE {filter} ORDER BY t.name"
    )
}

/// The teams `professional` holds a role in, with their record counts.
pub async fn teams_of(db: &Db, professional: &Professional) -> anyhow::Result<Vec<TeamSummary>> {
    let sql = team_query(db, "EXISTS (SELECT 1 FROM team_roles r WHERE r.team_id = t.id AND r.account_id = $1)");
    let rows: Vec<TeamRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&professional.account_id).fetch_all(&db.pool).await?;
    rows.into_iter().map(team_summary).collect()
}

/// One team, if `professional` holds a role in it. A team the professional
/// has no role in is answered exactly like a missing team.
pub async fn team_of(db: &Db, professional: &Professional, team_id: &str) -> anyhow::Result<Option<TeamSummary>> {
    let sql = team_query(
        db,
        "t.id = $2 AND EXISTS (SELECT 1 FROM team_roles r WHERE r.team_id = t.id AND r.account_id = $1)",
    );
    let row: Option<TeamRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&professional.account_id)
        .bind(team_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(team_summary).transpose()
}

/// The roles `professional` holds in the teams record `record_id` belongs to.
/// Empty when the record is not theirs to see (or does not exist).
pub async fn roles_on_record(db: &Db, professional: &Professional, record_id: &str) -> anyhow::Result<Vec<Role>> {
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT r.role FROM team_roles r JOIN team_records tr ON tr.team_id = r.team_id \
         WHERE r.account_id = $1 AND tr.record_id = $2",
    )
    .bind(&professional.account_id)
    .bind(record_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(roles_of(&roles.join(",")))
}

/// Team `team_id`, if `professional` is its admin: others are told it is not
/// theirs (403) or, for a team they have no role in, that it does not exist.
pub async fn admin_of(state: &AppState, professional: &Professional, team_id: &str) -> Result<TeamSummary, ApiError> {
    let team = team_of(&state.db, professional, team_id).await?.ok_or(ApiError::NotFound)?;
    if team.roles.contains(&Role::Admin) { Ok(team) } else { Err(ApiError::Forbidden) }
}

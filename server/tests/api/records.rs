//! Finding a team's records: by name, NHS number and date of birth; only in
//! teams the professional belongs to.

use portico_server::db::Engine;
use portico_types::api::{RecordSearchResponse, TeamSummary};

use crate::helpers::{ASHA, SAM, problem, spawn_app};

async fn search(app: &crate::helpers::TestApp, team: &TeamSummary, q: &str) -> RecordSearchResponse {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/staff/teams/{}/records", team.id)))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "searching {q:?}");
    response.json().await.unwrap()
}

async fn a_team_is_searched_by_name_nhs_number_and_date_of_birth(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    let team = app.teams().await.teams.remove(0);

    let all = search(&app, &team, "").await;
    assert_eq!(all.matched_on, "all");
    assert_eq!(all.total, team.record_count);
    let someone = all.records[0].clone();

    let by_family = search(&app, &team, &someone.family_name.to_uppercase()).await;
    assert_eq!(by_family.matched_on, "name");
    assert!(by_family.records.iter().all(|r| r.family_name == someone.family_name));
    assert!(by_family.records.contains(&someone));

    let full_name = format!("{} {}", someone.given_name.to_lowercase(), &someone.family_name[..3]);
    assert!(search(&app, &team, &full_name).await.records.contains(&someone));

    let nhs = someone.nhs_number.unwrap();
    let by_number = search(&app, &team, &nhs.formatted()).await;
    assert_eq!(by_number.matched_on, "nhs_number");
    assert_eq!(by_number.records, vec![someone.clone()]);

    let dob = someone.date_of_birth.date();
    let by_dob = search(&app, &team, &format!("{}/{}/{}", dob.day(), u8::from(dob.month()), dob.year())).await;
    assert_eq!(by_dob.matched_on, "date_of_birth");
    assert!(by_dob.records.contains(&someone));

    let nobody = search(&app, &team, "Zzyzx").await;
    assert_eq!((nobody.total, nobody.records.len()), (0, 0));
}

async fn results_come_in_pages(engine: Engine) {
    let app = spawn_app(engine).await;
    sqlx::query("DELETE FROM team_records").execute(&app.db.pool).await.unwrap();
    app.signed_in(SAM).await;
    // Put every record in the first team: 44 records (the demo's synthetic
    // patients, two professionals' and Olivia's two dependants) make two pages of 25.
    let team = app.teams().await.teams.remove(0);
    sqlx::query("INSERT INTO team_records (team_id, record_id, added_at) SELECT $1, id, created_at FROM records")
        .bind(&team.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let first = app
        .get(&format!("/api/v1/staff/teams/{}/records?page=1", team.id))
        .await
        .json::<RecordSearchResponse>()
        .await
        .unwrap();
    let second = app
        .get(&format!("/api/v1/staff/teams/{}/records?page=2", team.id))
        .await
        .json::<RecordSearchResponse>()
        .await
        .unwrap();
    assert_eq!((first.total, first.records.len(), second.records.len()), (44, 25, 19));
    assert!(first.records.iter().all(|r| !second.records.contains(r)));
}

async fn a_professional_sees_only_their_own_teams(engine: Engine) {
    let app = spawn_app(engine).await;
    // Asha is in the diabetes team only; Sam in both.
    app.signed_in(SAM).await;
    let respiratory = app.teams().await.teams.into_iter().find(|t| t.slug == "respiratory").unwrap();
    app.signed_in(ASHA).await;
    assert_eq!(app.teams().await.teams.len(), 1);
    let response = app.get(&format!("/api/v1/staff/teams/{}/records", respiratory.id)).await;
    assert_eq!(response.status(), 404, "another team's records look like a missing team");
    let missing = app.get("/api/v1/staff/teams/no-such-team/records").await;
    assert_eq!(problem(response).await, problem(missing).await);
}

async fn a_professional_of_another_organisation_sees_nothing_of_ours(engine: Engine) {
    let app = spawn_app(engine).await;
    app.signed_in(SAM).await;
    let ours = app.teams().await.teams.remove(0);
    let outsider = crate::helpers::other_organisation_professional(&app).await;
    let client = crate::helpers::browser();
    assert_eq!(app.sign_in_as(&client, &outsider, crate::helpers::DEMO_PASSWORD).await.status(), 200);
    let teams: portico_types::api::TeamsResponse =
        client.get(app.url("/api/v1/staff/teams")).send().await.unwrap().json().await.unwrap();
    assert!(teams.teams.iter().all(|t| t.organisation.id != ours.organisation.id));
    let response = client.get(app.url(&format!("/api/v1/staff/teams/{}/records", ours.id))).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

async fn an_account_that_is_not_staff_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let patient = crate::helpers::patient_account(&app).await;
    assert_eq!(app.sign_in(&patient, crate::helpers::DEMO_PASSWORD).await.status(), 200);
    let session: portico_types::api::SessionResponse = app.get("/api/v1/session").await.json().await.unwrap();
    assert!(session.staff.is_none());
    let response = app.get("/api/v1/staff/teams").await;
    assert_eq!(response.status(), 403);
    problem(response).await;
}

async fn nobody_signed_in_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in ["/api/v1/session", "/api/v1/staff/teams", "/api/v1/staff/teams/x/records"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(problem(response).await["type"], "unauthenticated");
    }
}

crate::on_both_engines!(
    a_team_is_searched_by_name_nhs_number_and_date_of_birth,
    results_come_in_pages,
    a_professional_sees_only_their_own_teams,
    a_professional_of_another_organisation_sees_nothing_of_ours,
    an_account_that_is_not_staff_is_refused,
    nobody_signed_in_is_refused,
);

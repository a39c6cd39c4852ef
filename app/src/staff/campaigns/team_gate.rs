//! The frame of a page for one team's admins: the team from the address,
//! looked up among the professional's teams, and the page itself only when
//! they are its admin. The server refuses everyone else all the same; this
//! says so in words instead of showing a broken page.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portico_types::api::{Role, TeamSummary};

use crate::api::{self, ApiError};
use crate::loader::load;
use crate::staff::HOME_PATH;
use crate::staff::records::records_href;
use crate::staff::session::sign_in_on_unauthorised;

/// Shows `page` for the team in the address (`:team_id`) when the signed-in
/// professional is its admin; `doing` ("see campaigns") says what others cannot.
#[component]
pub fn AdminTeamPage(doing: &'static str, page: fn(TeamSummary) -> AnyView) -> impl IntoView {
    let params = use_params_map();
    let team_id = Memo::new(move |_| params.with(|p| p.get("team_id")).unwrap_or_default());
    let teams = load(api::staff_teams);
    sign_in_on_unauthorised(teams);
    let team = Memo::new(move |_| {
        teams.with(|t| match t {
            Some(Ok(answer)) => Some(answer.teams.iter().find(|t| t.id == team_id.get()).cloned()),
            _ => None,
        })
    });
    view! {
        <a class="nhsuk-back-link" href=move || records_href(&team_id.get(), None, 1)>"Back to the team"</a>
        {move || match (teams.get(), team.get()) {
            (None, _) => view! { <p role="status">"Loading…"</p> }.into_any(),
            (Some(Err(ApiError::Unauthorised(_))), _) => ().into_any(),
            (Some(Err(error)), _) => view! { <p role="status">{error.message()}</p> }.into_any(),
            (_, Some(Some(team))) if team.roles.contains(&Role::Admin) => page(team),
            (_, Some(Some(team))) => view! {
                <h1 tabindex="-1">{format!("Only a team admin can {doing}")}</h1>
                <p>"Ask an admin of "{team.name}" to give you the admin role if you need it."</p>
            }
            .into_any(),
            (_, _) => view! {
                <h1 tabindex="-1">"Team not found"</h1>
                <p>"Check the address, or choose one of your teams."</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
        }}
    }
}

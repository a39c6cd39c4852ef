//! `/staff`: the teams the signed-in professional works in.

use leptos::prelude::*;
use portico_types::api::{Role, TeamSummary};

use super::SERVICE;
use super::carer_settings::CARER_SETTINGS_PATH;
use super::loader::load;
use super::records::records_href;
use super::session::sign_in_on_unauthorised;
use crate::api::{self, ApiError};
use crate::page::show_page;

/// One card per team, each leading to the team's records.
#[component]
pub fn Teams() -> impl IntoView {
    show_page("Your teams", SERVICE);
    let teams = load(api::staff_teams);
    sign_in_on_unauthorised(teams);
    let outbox = load(api::dev_outbox);

    view! {
        <h1 tabindex="-1">"Your teams"</h1>
        {move || match teams.get() {
            None => view! { <p role="status">"Loading your teams…"</p> }.into_any(),
            Some(Ok(answer)) if answer.teams.is_empty() => view! {
                <p>"You are not a member of any team yet."</p>
                <p>"Ask an admin of your team to add you."</p>
            }
            .into_any(),
            Some(Ok(answer)) => view! {
                <ul class="nhsuk-list">
                    {answer.teams.into_iter().map(|team| view! { <li><TeamCard team=team/></li> }).collect_view()}
                </ul>
            }
            .into_any(),
            // The redirect to sign in is on its way.
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(error)) => view! { <p class="nhsuk-body">{error.message()}</p> }.into_any(),
        }}
        // The organisation's settings are its admins' to change.
        {move || {
            let admin = teams.with(|t| {
                matches!(t, Some(Ok(answer)) if answer.teams.iter().any(|team| team.roles.contains(&Role::Admin)))
            });
            admin.then(|| view! {
                <h2 class="nhsuk-heading-s">"Your organisation"</h2>
                <p>
                    <a href=CARER_SETTINGS_PATH>"Parents' access as a child grows up"</a>
                    ": the age at which a parent's or guardian's access to a child's record ends or is reviewed."
                </p>
            })
        }}
        // Only where no SMTP server is configured (the demo): the outbox answers.
        {move || matches!(outbox.get(), Some(Ok(_))).then(|| view! {
            <h2 class="nhsuk-heading-s">"Email on this server"</h2>
            <p>
                <a href="/staff/dev-outbox">"Development outbox"</a>
                ": the emails Portico would have sent, such as invitations and confirmation links."
            </p>
        })}
    }
}

#[component]
fn TeamCard(team: TeamSummary) -> impl IntoView {
    let records = match team.record_count {
        1 => "1 record".to_owned(),
        n => format!("{n} records"),
    };
    view! {
        <div class="nhsuk-card nhsuk-card--clickable">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-m">
                    <a class="nhsuk-card__link" href=records_href(&team.id, None, 1)>{team.name}</a>
                </h2>
                <p class="nhsuk-card__description">
                    {team.organisation.name}" ("{team.organisation.ods_code.to_string()}")"
                </p>
                <p class="nhsuk-card__description">"Your roles: "{roles_text(&team.roles)}</p>
                <p class="nhsuk-card__description">{records}</p>
            </div>
        </div>
    }
}

/// "Clinician, Team admin", in the order the roles were given.
fn roles_text(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "none".to_owned();
    }
    roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
}

//! `/staff/teams/:team_id/uptake`: how many of the team's patients were
//! invited on each channel, opened the invitation and registered with it,
//! as a table (the text every reader gets) and a chart drawn as inline SVG,
//! with the same figures as a CSV download.

mod chart;
mod funnel;
mod funnel_chart;

use leptos::prelude::*;
use portico_types::api::{TeamSummary, UptakeRow};

use super::HOME_PATH;
use super::campaigns::{AdminTeamPage, campaigns_href};
use super::session::sign_in_on_unauthorised;
use crate::api::{self, ApiError, team_uptake_csv_href};
use crate::loader::load;
use crate::numbers::{grouped, percent_of_permille};
use crate::page::show_page;
use crate::staff::SERVICE;

/// The report of one team.
pub fn uptake_href(team_id: &str) -> String {
    let team: String = js_sys::encode_uri_component(team_id).into();
    format!("{HOME_PATH}/teams/{team}/uptake")
}

/// How a channel reads in the report.
pub fn channel_name(channel: &str) -> &'static str {
    match channel {
        "letter" => "Letter",
        "sms" => "Text message",
        "email" => "Email",
        "kiosk" => "Kiosk",
        "face_to_face" => "Face to face",
        "professional" => "Staff invitation",
        _ => "Other",
    }
}

/// "Under an hour", "5 hours", "3 days": the median wait, as people say it.
fn wait_words(hours: Option<u64>) -> String {
    match hours {
        None => "No registrations yet".to_owned(),
        Some(0) => "Under an hour".to_owned(),
        Some(1) => "1 hour".to_owned(),
        Some(h) if h < 48 => format!("{h} hours"),
        Some(h) => format!("{} days", (h + 12) / 24),
    }
}

#[component]
pub fn UptakePage() -> impl IntoView {
    show_page("Uptake report", SERVICE);
    view! { <AdminTeamPage doing="see its uptake report" page=|team| view! { <Uptake team=team/> }.into_any()/> }
}

#[component]
fn Uptake(team: TeamSummary) -> impl IntoView {
    let team_id = team.id.clone();
    let report = load(move || {
        let team_id = team_id.clone();
        async move { api::team_uptake(&team_id).await }
    });
    sign_in_on_unauthorised(report);
    view! {
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{team.name.clone()}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Uptake report"
        </h1>
        <p>
            "Every invitation the team has made, by how it reached the patient: how many patients were invited, "
            "how many opened the invitation (entered the code with their date of birth), and how many registered with it."
        </p>
        {move || match report.get() {
            None => view! { <p role="status">"Loading the report…"</p> }.into_any(),
            Some(Ok(answer)) if answer.rows.is_empty() => {
                view! { <p>"Nobody in this team has been invited yet."</p> }.into_any()
            }
            Some(Ok(answer)) => view! {
                <UptakeTable rows=answer.rows.clone()/>
                <chart::UptakeChart rows=answer.rows/>
            }
            .into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
        <p>
            <a href=team_uptake_csv_href(&team.id) download="uptake.csv">"Download as CSV"</a>
            " (for a spreadsheet)"
        </p>
        <funnel::Funnel team_id=team.id.clone()/>
        <p><a href=campaigns_href(&team.id)>"The team's campaigns"</a></p>
    }
}

const HEADINGS: [&str; 6] = ["Channel", "Invited", "Opened", "Registered", "Conversion", "Median time to register"];

/// The report as an NHS.UK responsive table: the chart's text alternative.
#[component]
fn UptakeTable(rows: Vec<UptakeRow>) -> impl IntoView {
    let cell = |n: usize| view! { <span class="nhsuk-table__heading" aria-hidden="true">{HEADINGS[n]}" "</span> };
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption">"Patients invited and registered, by channel"</caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {HEADINGS.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {rows.into_iter().map(|row| view! {
                    <tr class="nhsuk-table__row" role="row">
                        <td class="nhsuk-table__cell" role="cell">{cell(0)}{channel_name(&row.channel)}</td>
                        <td class="nhsuk-table__cell" role="cell">{cell(1)}{grouped(row.invited)}</td>
                        <td class="nhsuk-table__cell" role="cell">{cell(2)}{grouped(row.opened)}</td>
                        <td class="nhsuk-table__cell" role="cell">{cell(3)}{grouped(row.registered)}</td>
                        <td class="nhsuk-table__cell" role="cell">{cell(4)}{percent_of_permille(row.conversion_permille)}</td>
                        <td class="nhsuk-table__cell" role="cell">{cell(5)}{wait_words(row.median_hours_to_register)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::wait_words;

    #[test]
    fn waits_read_in_hours_then_days() {
        assert_eq!(wait_words(None), "No registrations yet");
        assert_eq!(wait_words(Some(0)), "Under an hour");
        assert_eq!(wait_words(Some(1)), "1 hour");
        assert_eq!(wait_words(Some(27)), "27 hours");
        assert_eq!(wait_words(Some(60)), "3 days");
    }
}

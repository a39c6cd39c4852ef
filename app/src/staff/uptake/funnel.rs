//! The uptake report's drop-off funnel: for each channel, how many of the
//! invited patients reached each step of registration (with their share of
//! those invited, and how many stopped before it), as a table (the text
//! every reader gets) and a bar chart of the same figures; then why their
//! codes were refused; and the figures as a CSV download.

use leptos::prelude::*;
use portico_types::api::{FunnelRow, FunnelStep};

use super::{channel_name, funnel_chart};
use crate::api::{self, ApiError, team_funnel_csv_href};
use crate::loader::load;
use crate::numbers::{grouped, percent_of_permille};
use crate::staff::session::sign_in_on_unauthorised;

/// How a step reads in the report.
pub fn step_name(step: &str) -> &'static str {
    match step {
        "invited" => "Invited",
        "code_entered" => "Code entered",
        "date_of_birth_matched" => "Date of birth matched",
        "email_given" => "Email given",
        "email_confirmed" => "Email confirmed",
        "registered" => "Registered",
        _ => "Other",
    }
}

/// How a refusal reads in the report.
fn reason_name(reason: &str) -> &'static str {
    match reason {
        "mismatch" => "Code or date of birth did not match",
        "locked" => "Code locked after too many wrong tries",
        "expired" => "Code expired",
        "used" => "Code already used",
        "no_longer_valid" => "Code replaced or withdrawn",
        "already_registered" => "Already registered another way",
        _ => "Other",
    }
}

/// "2 stopped (25.0%)": those who reached the step before and not this one.
pub fn stopped_words(step: &FunnelStep) -> String {
    format!("{} stopped ({})", grouped(step.dropped), percent_of_permille(step.dropped_permille))
}

#[component]
pub fn Funnel(team_id: String) -> impl IntoView {
    let csv_href = team_funnel_csv_href(&team_id);
    let report = load(move || {
        let team_id = team_id.clone();
        async move { api::team_funnel(&team_id).await }
    });
    sign_in_on_unauthorised(report);
    view! {
        <h2 id="drop-off">"Where patients stopped"</h2>
        <p>
            "For each channel, how many of the patients invited reached each step of registering, "
            "their share of everyone invited, and how many stopped before that step. Registered means "
            "they set a password and their account was made. "
            "A patient invited more than once is counted once, at the furthest step they reached."
        </p>
        {move || match report.get() {
            None => view! { <p role="status">"Loading where patients stopped…"</p> }.into_any(),
            Some(Ok(answer)) if answer.rows.is_empty() => ().into_any(),
            Some(Ok(answer)) => answer.rows.into_iter().map(|row| view! { <ChannelFunnel row=row/> }).collect_view().into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
        <p>
            <a href=csv_href download="drop-off.csv">"Download where patients stopped as CSV"</a>
            " (for a spreadsheet)"
        </p>
    }
}

const STEP_HEADINGS: [&str; 4] = ["Step", "Patients", "Share of invited", "Stopped before this step"];
const REASON_HEADINGS: [&str; 2] = ["Why the code was refused", "Attempts"];

/// One channel's steps (table and chart) and refusals.
#[component]
fn ChannelFunnel(row: FunnelRow) -> impl IntoView {
    let channel = channel_name(&row.channel);
    let step_cell =
        |n: usize| view! { <span class="nhsuk-table__heading" aria-hidden="true">{STEP_HEADINGS[n]}" "</span> };
    let reason_cell =
        |n: usize| view! { <span class="nhsuk-table__heading" aria-hidden="true">{REASON_HEADINGS[n]}" "</span> };
    let chart = funnel_chart::svg(&row);
    let refusals = row.refusals.clone();
    let refused_at_all = refusals.iter().any(|r| r.attempts > 0);
    view! {
        <h3>{channel}</h3>
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption nhsuk-table__caption--s">{format!("{channel}: patients at each step")}</caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {STEP_HEADINGS.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {row.steps.into_iter().enumerate().map(|(n, step)| view! {
                    <tr class="nhsuk-table__row" role="row">
                        <th class="nhsuk-table__header" scope="row" role="rowheader">{step_cell(0)}{step_name(&step.step)}</th>
                        <td class="nhsuk-table__cell" role="cell">{step_cell(1)}{grouped(step.records)}</td>
                        <td class="nhsuk-table__cell" role="cell">{step_cell(2)}{percent_of_permille(step.share_permille)}</td>
                        <td class="nhsuk-table__cell" role="cell">{step_cell(3)}{
                            if n == 0 { "–".to_owned() } else { stopped_words(&step) }
                        }</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <div class="portico-chart-frame" inner_html=chart></div>
        {if refused_at_all {
            view! {
                <table class="nhsuk-table nhsuk-table--responsive" role="table">
                    <caption class="nhsuk-table__caption nhsuk-table__caption--s">{format!("{channel}: why codes were refused")}</caption>
                    <thead class="nhsuk-table__head" role="rowgroup">
                        <tr class="nhsuk-table__row" role="row">
                            {REASON_HEADINGS.iter().map(|h| view! {
                                <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {refusals.into_iter().map(|r| view! {
                            <tr class="nhsuk-table__row" role="row">
                                <td class="nhsuk-table__cell" role="cell">{reason_cell(0)}{reason_name(&r.reason)}</td>
                                <td class="nhsuk-table__cell" role="cell">{reason_cell(1)}{grouped(r.attempts)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        } else {
            view! { <p>{format!("{channel}: no codes have been refused.")}</p> }.into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_and_reason_has_words() {
        for step in portico_types::api::FUNNEL_STEPS {
            assert_ne!(step_name(step), "Other", "{step}");
        }
        for reason in portico_types::api::REFUSAL_REASONS {
            assert_ne!(reason_name(reason), "Other", "{reason}");
        }
    }

    #[test]
    fn the_drop_reads_as_a_count_and_a_share() {
        let step = FunnelStep {
            step: "code_entered".into(),
            records: 3,
            share_permille: 750,
            dropped: 1_250,
            dropped_permille: 250,
        };
        assert_eq!(stopped_words(&step), "1,250 stopped (25.0%)");
    }
}

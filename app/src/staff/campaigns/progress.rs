//! How far a campaign has got: a progress bar with its count in words, what
//! happened to the records worked through, and why messages failed.

use leptos::prelude::*;
use portico_types::api::{CampaignFailure, CampaignProgress};

use super::progress_words;
use crate::numbers::grouped;

/// The numbers of a campaign, for people: each with what it means. Letters
/// are put into batches rather than sent, so they have no delivery, failure
/// or pace of their own.
fn facts(progress: &CampaignProgress, letters: bool) -> Vec<(&'static str, String)> {
    let n = |value: u64| grouped(value);
    let mut facts = vec![
        ("Invitations made", n(progress.issued)),
        ("Left out: safeguarding", n(progress.skipped_excluded)),
        ("Left out: registered meanwhile", n(progress.skipped_registered)),
        ("Left out: no contact detail for this channel", n(progress.skipped_no_contact)),
    ];
    // Only reminders stop for these.
    if progress.skipped_opted_out > 0 {
        facts.push(("Left out: asked for no more reminders", n(progress.skipped_opted_out)));
    }
    if progress.skipped_cap > 0 {
        facts.push(("Left out: had the plan's most messages", n(progress.skipped_cap)));
    }
    // Only for a campaign that holds those whose record is empty.
    if progress.held > 0 || progress.released > 0 {
        facts.extend([
            ("Held until their record has an entry", n(progress.held)),
            ("Released (invited once their record had an entry)", n(progress.released)),
        ]);
    }
    if letters {
        facts.push(("Letters in batches", n(progress.sent)));
    } else {
        facts.extend([
            ("Sent", n(progress.sent)),
            ("Delivered", n(progress.delivered)),
            ("Failed", n(progress.failed)),
            ("Waiting to be sent", n(progress.waiting)),
            ("Sent in the last minute", n(progress.per_minute)),
        ]);
    }
    facts
}

#[component]
pub fn Progress(progress: CampaignProgress, state: String, letters: bool) -> impl IntoView {
    let words = format!("{} records", progress_words(progress.processed, progress.total));
    // A cohort of none is done from the start; `max` must be above 0.
    let (value, max) = if progress.total == 0 { (1, 1) } else { (progress.processed, progress.total) };
    let status = match state.as_str() {
        "running" => "The campaign is running. This page updates every few seconds; you can leave it and come back.",
        "paused" => "The campaign is paused. Nothing more is sent until it is resumed.",
        "finished" if progress.held > 0 => {
            "Every record has been worked through. Invitations held until the record has an entry go out by themselves when it does."
        }
        "finished" => "The campaign has finished.",
        _ => "The campaign was cancelled. Nothing more is sent.",
    };
    view! {
        <h2>"Progress"</h2>
        <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="campaign-progress">"Records worked through"</label>
            <progress id="campaign-progress" class="portico-progress" max=max.to_string() value=value.to_string()>
                {words.clone()}
            </progress>
            <p class="nhsuk-body-l nhsuk-u-margin-bottom-2">{words}</p>
            <p>{status}</p>
        </div>
        <crate::summary_list::SummaryList rows=facts(&progress, letters)/>
    }
}

/// Why messages failed, most common first; nothing when none has.
#[component]
pub fn Failures(failures: Vec<CampaignFailure>) -> impl IntoView {
    (!failures.is_empty()).then(|| {
        view! {
            <h2>"Why messages failed"</h2>
            <table class="nhsuk-table" role="table">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Failed messages by reason"</caption>
                <thead class="nhsuk-table__head" role="rowgroup">
                    <tr class="nhsuk-table__row" role="row">
                        <th class="nhsuk-table__header" scope="col" role="columnheader">"Reason"</th>
                        <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" role="columnheader">"Messages"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    {failures.into_iter().map(|f| view! {
                        <tr class="nhsuk-table__row" role="row">
                            <td class="nhsuk-table__cell portico-break-anywhere" role="cell">{f.reason}</td>
                            <td class="nhsuk-table__cell nhsuk-table__cell--numeric" role="cell">{grouped(f.count)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_show_batches_and_messages_show_delivery() {
        let progress = CampaignProgress { issued: 1_200, sent: 1_200, delivered: 900, ..CampaignProgress::default() };
        let letters: Vec<&str> = facts(&progress, true).into_iter().map(|(k, _)| k).collect();
        assert!(letters.contains(&"Letters in batches") && !letters.contains(&"Delivered"));
        let texts = facts(&progress, false);
        assert!(texts.contains(&("Delivered", "900".to_owned())));
        assert!(texts.contains(&("Invitations made", "1,200".to_owned())));
        assert!(!texts.iter().any(|(k, _)| k.starts_with("Held")), "nothing held: not shown");
        let held = CampaignProgress { held: 3, released: 2, ..CampaignProgress::default() };
        assert!(facts(&held, false).contains(&("Held until their record has an entry", "3".to_owned())));
    }
}

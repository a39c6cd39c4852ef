//! The record's entries, newest first: letters, results and appointments
//! told apart by a labelled tag (its words, not only its colour).

use leptos::prelude::*;
use portico_types::api::EntrySummary;

use crate::dates::local_long_date;

/// An entry kind's label and tag colour.
fn kind_tag(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "letter" => ("Letter", "nhsuk-tag--blue"),
        "result" => ("Test result", "nhsuk-tag--purple"),
        "appointment" => ("Appointment", "nhsuk-tag--green"),
        _ => ("Note", "nhsuk-tag--grey"),
    }
}

/// The list, in the order the API gives it (newest first).
#[component]
pub fn Entries(entries: Vec<EntrySummary>) -> impl IntoView {
    view! {
        <h2>"Letters, results and appointments"</h2>
        {if entries.is_empty() {
            view! { <p>"Nothing has been added to this record yet. Data feeds add letters, results and appointments here."</p> }
                .into_any()
        } else {
            view! {
                <ol class="nhsuk-list portico-timeline" aria-label="Entries, newest first">
                    {entries.into_iter().map(|entry| view! { <Entry entry=entry/> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
    }
}

#[component]
fn Entry(entry: EntrySummary) -> impl IntoView {
    let (label, colour) = kind_tag(&entry.kind);
    view! {
        <li class="nhsuk-card portico-entry">
            <div class="nhsuk-card__content">
                <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">
                    <strong class=format!("nhsuk-tag {colour}")>{label}</strong>
                    " "
                    <time datetime=entry.occurred_at.clone()>{local_long_date(&entry.occurred_at)}</time>
                    {entry.sensitive.then(|| view! { " " <strong class="nhsuk-tag nhsuk-tag--orange">"Sensitive"</strong> })}
                </p>
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{entry.title}</h3>
                {entry.body.map(|body| view! { <p class="nhsuk-card__description portico-prose">{body}</p> })}
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::kind_tag;

    #[test]
    fn each_kind_has_its_own_label_and_colour() {
        let tags: Vec<_> = ["letter", "result", "appointment", "note"].map(kind_tag).to_vec();
        for (i, a) in tags.iter().enumerate() {
            for b in &tags[i + 1..] {
                assert!(a.0 != b.0 && a.1 != b.1);
            }
        }
    }
}

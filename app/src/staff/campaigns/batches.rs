//! A letter campaign's batches: each a PDF of letters to print and a CSV
//! manifest for a print house, with when it was first downloaded, so staff
//! see which batches still need printing.
//!
//! The downloads are plain links: the session cookie authorises a GET, and
//! the browser saves the file itself.

use std::time::Duration;

use leptos::prelude::*;
use portico_types::api::LetterBatchView;

use crate::api::api_file_href;
use crate::dates::local_long_date_time;
use crate::numbers::{count, grouped};

/// After a download starts, the page asks again once, to show it as downloaded.
const REREAD_AFTER: Duration = Duration::from_secs(1);

const HEADINGS: [&str; 4] = ["Batch", "Letters", "Downloaded", "Files"];

#[component]
pub fn Batches(batches: Memo<Vec<LetterBatchView>>, asked: RwSignal<u32>) -> impl IntoView {
    let total = move || batches.with(|b| b.iter().map(|b| b.letters).sum::<u64>());
    let downloaded = move || {
        let _ = set_timeout_with_handle(move || asked.try_update(|n| *n += 1).unwrap_or(()), REREAD_AFTER);
    };
    view! {
        <h2>"Letters to print"</h2>
        <Show
            when=move || batches.with(|b| !b.is_empty())
            fallback=|| view! { <p>"The first batch of letters appears here when it is ready."</p> }
        >
            <p>
                {move || count(batches.with(Vec::len) as u64, "batch", "batches")}" of letters, "
                {move || count(total(), "letter", "letters")}" in all. "
                "Each batch is a PDF to print and a CSV manifest for a print house. They hold the registration codes: keep them safe."
            </p>
            <table class="nhsuk-table nhsuk-table--responsive" role="table">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Batches of letters"</caption>
                <thead class="nhsuk-table__head" role="rowgroup">
                    <tr class="nhsuk-table__row" role="row">
                        {HEADINGS.iter().map(|h| view! {
                            <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    // Keyed by what a row shows, so a poll leaves rows (and a
                    // focused link) alone unless they changed.
                    <For
                        each=move || batches.get()
                        key=|b| (b.seq, b.downloaded_at.clone())
                        children=move |batch| view! { <BatchRow batch=batch downloaded=downloaded/> }
                    />
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn BatchRow(batch: LetterBatchView, downloaded: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let cell = |n: usize| view! { <span class="nhsuk-table__heading" aria-hidden="true">{HEADINGS[n]}" "</span> };
    let seq = batch.seq;
    let when = batch.downloaded_at.as_deref().map_or_else(|| "Not yet".to_owned(), local_long_date_time);
    view! {
        <tr class="nhsuk-table__row" role="row">
            <td class="nhsuk-table__cell" role="cell">{cell(0)}{format!("Batch {seq}")}</td>
            <td class="nhsuk-table__cell" role="cell">{cell(1)}{grouped(batch.letters)}</td>
            <td class="nhsuk-table__cell" role="cell">{cell(2)}{when}</td>
            <td class="nhsuk-table__cell" role="cell">
                {cell(3)}
                <ul class="nhsuk-list nhsuk-u-margin-bottom-0">
                    <li>
                        <a href=api_file_href(&batch.pdf_path) download=format!("letters-batch-{seq}.pdf") on:click=move |_| downloaded()>
                            "Download letters (PDF)"<span class="nhsuk-u-visually-hidden">{format!(", batch {seq}")}</span>
                        </a>
                    </li>
                    <li>
                        <a href=api_file_href(&batch.manifest_path) download=format!("manifest-batch-{seq}.csv")>
                            "Download manifest (CSV)"<span class="nhsuk-u-visually-hidden">{format!(", batch {seq}")}</span>
                        </a>
                    </li>
                </ul>
            </td>
        </tr>
    }
}

//! `/staff/teams/:team_id/imports/:import_id`: one upload, as the server
//! checked it. While it waits, the admin sees what will be imported and every
//! row that will not, and imports or discards it; while it is being imported
//! the page asks again every second; after, it says what changed.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use portico_types::api::CsvImportView;

use super::problems::Problems;
use super::{count, upload_href};
use crate::api::{self, ApiError};
use crate::dates::local_long_date_time;
use crate::forms::{Button, ErrorItem, ErrorSummary};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::staff::records::records_href;
use crate::staff::session::sign_in_on_unauthorised;
use crate::staff::{HOME_PATH, SERVICE};
use crate::summary_list::SummaryList;

/// How often a page showing an import that is running asks whether it is done.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// Where an upload stands, from the API's `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Ready,
    Committing,
    Committed,
    Discarded,
    Expired,
}

impl Stage {
    fn of(upload: &CsvImportView) -> Stage {
        match upload.state.as_str() {
            "committing" => Stage::Committing,
            "committed" => Stage::Committed,
            "discarded" => Stage::Discarded,
            "expired" => Stage::Expired,
            _ => Stage::Ready,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Stage::Ready => "Check the file before importing",
            Stage::Committing => "Importing patients",
            Stage::Committed => "Patients imported",
            Stage::Discarded => "Upload discarded",
            Stage::Expired => "This upload has expired",
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    show_page("Check the file", SERVICE);
    let params = use_params_map();
    let query = use_query_map();
    let team_id = Memo::new(move |_| params.with(|p| p.get("team_id")).unwrap_or_default());
    let import_id = Memo::new(move |_| params.with(|p| p.get("import_id")).unwrap_or_default());
    let page = Memo::new(move |_| {
        query.with(|q| q.get("page")).and_then(|n| n.parse::<u32>().ok()).filter(|n| *n >= 1).unwrap_or(1)
    });
    // Bumped to read the upload again: after an action, and while it is importing.
    let asked = RwSignal::new(0u32);
    let upload = load(move || {
        let (team, id, page) = (team_id.get(), import_id.get(), page.get());
        asked.track();
        async move { api::csv_import(&team, &id, page).await }
    });
    sign_in_on_unauthorised(upload);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let stage = Memo::new(move |_| upload.with(|u| u.as_ref().and_then(|u| u.as_ref().ok()).map(Stage::of)));

    // While it imports, ask again in a second; a page left meanwhile stops asking.
    Effect::new(move |_| {
        if stage.get() == Some(Stage::Committing) {
            set_timeout(
                move || {
                    let _ = asked.try_update(|n| *n += 1);
                },
                POLL_EVERY,
            );
        }
    });
    // A new stage is a new page to the person: its title, and focus on its heading.
    Effect::new(move |before: Option<Option<Stage>>| {
        let now = stage.get();
        if let Some(now) = now {
            document().set_title(&format!("{} – {SERVICE}", now.heading()));
            if before.flatten().is_some_and(|before| before != now) {
                request_animation_frame(focus_heading);
            }
        }
        now
    });

    view! {
        <a class="nhsuk-back-link" href=move || records_href(&team_id.get(), None, 1)>"Back to the team's records"</a>
        <ErrorSummary errors=errors/>
        {move || match upload.get() {
            None => view! { <p role="status">"Loading the upload…"</p> }.into_any(),
            Some(Ok(upload)) => view! { <Upload upload=upload errors=errors asked=asked/> }.into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(ApiError::Refused(p))) if matches!(p.status, 403 | 404) => view! {
                <h1 tabindex="-1">"Upload not found"</h1>
                <p>"Check the address. Uploads can be seen only by admins of the team they were made for."</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
            Some(Err(error)) => view! { <p role="status">{error.message()}</p> }.into_any(),
        }}
    }
}

/// The upload in whichever stage it is.
#[component]
fn Upload(upload: CsvImportView, errors: RwSignal<Vec<ErrorItem>>, asked: RwSignal<u32>) -> impl IntoView {
    let stage = Stage::of(&upload);
    let facts = vec![
        ("File", upload.file_name.clone()),
        ("Uploaded", local_long_date_time(&upload.uploaded_at)),
        ("Patients in the file", count(upload.rows, "row", "rows")),
        ("Ready to import", count(upload.good_rows, "patient", "patients")),
        ("Rows with problems", count(upload.bad_rows, "row", "rows")),
    ];
    let team_records = records_href(&upload.team_id, None, 1);
    let upload_again = upload_href(&upload.team_id);
    let body = match stage {
        Stage::Ready => view! { <Waiting upload=upload.clone() errors=errors asked=asked/> }.into_any(),
        Stage::Committing => view! {
            <p class="nhsuk-body-l" role="status">
                "Importing "{count(upload.good_rows, "patient", "patients")}". "
                "This page will change when it is done; you can leave it and come back."
            </p>
        }
        .into_any(),
        Stage::Committed => {
            let result = upload.result.clone();
            view! {
                <div class="nhsuk-panel">
                    <h2 class="nhsuk-panel__heading nhsuk-panel__heading--m">"The good rows are in"</h2>
                    {result.map(|r| view! {
                        <div class="nhsuk-panel__body">
                            <ul class="nhsuk-list">
                                <li>{count(r.created, "new record", "new records")}</li>
                                <li>{count(r.updated, "record updated", "records updated")}</li>
                                <li>{count(r.unchanged, "record already up to date", "records already up to date")}</li>
                            </ul>
                        </div>
                    })}
                </div>
                <p><a href=team_records.clone()>"Go to the team's records"</a></p>
                <p><a href=upload_again.clone()>"Upload another file"</a></p>
            }
            .into_any()
        }
        Stage::Discarded => view! {
            <p>"Nothing in this file was imported."</p>
            <p><a href=upload_again.clone()>"Upload a file"</a></p>
        }
        .into_any(),
        Stage::Expired => view! {
            <p>"Uploads that are not imported are kept for 24 hours. Nothing in this file was imported."</p>
            <p><a href=upload_again.clone()>"Upload the file again"</a></p>
        }
        .into_any(),
    };
    let show_problems = upload.bad_rows > 0 && matches!(stage, Stage::Ready | Stage::Committing | Stage::Committed);
    view! {
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">"Upload patients"<span class="nhsuk-u-visually-hidden">" – "</span></span>
            {stage.heading()}
        </h1>
        <SummaryList rows=facts/>
        // Waiting, the bad rows come first: they are what the admin decides on.
        {if stage == Stage::Ready {
            view! { {show_problems.then(|| view! { <Problems upload=upload/> })} {body} }.into_any()
        } else {
            view! { {body} {show_problems.then(|| view! { <Problems upload=upload/> })} }.into_any()
        }}
    }
}

/// An upload waiting for a decision: what importing it will do, and the two buttons.
#[component]
fn Waiting(upload: CsvImportView, errors: RwSignal<Vec<ErrorItem>>, asked: RwSignal<u32>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let act = move |commit: bool, team: String, id: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.set(Vec::new());
        spawn_local(async move {
            let done = if commit {
                api::commit_import(&team, &id).await.map(drop)
            } else {
                api::discard_import(&team, &id).await
            };
            busy.set(false);
            if let Err(error) = done {
                errors.set(vec![ErrorItem::form(error.message())]);
            }
            // Whatever happened, show the upload as it now stands.
            asked.update(|n| *n += 1);
        });
    };
    let (team, id) = (upload.team_id.clone(), upload.id.clone());
    let import = {
        let (team, id) = (team.clone(), id.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            act(true, team.clone(), id.clone());
        }
    };
    let discard = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act(false, team.clone(), id.clone());
    };
    let good = upload.good_rows;
    view! {
        {upload.same_file_committed_at.map(|at| view! {
            <div class="nhsuk-inset-text">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>
                    "This same file was imported on "{local_long_date_time(&at)}". "
                    "Importing it again changes nothing that is still as it was."
                </p>
            </div>
        })}
        {upload.commit_error.map(|why| view! {
            <div class="nhsuk-warning-callout">
                <h2 class="nhsuk-warning-callout__label">
                    <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"The last import failed"</span>
                </h2>
                <p>"Nothing was written. "{why}</p>
            </div>
        })}
        {if good > 0 {
            view! {
                <p>
                    "Importing creates a record for each new patient and brings existing records up to date. "
                    "Records keep their history, so every change can be seen on the record."
                </p>
                <form on:submit=import novalidate>
                    <Button busy=busy>"Import "{count(good, "patient", "patients")}</Button>
                </form>
            }
            .into_any()
        } else {
            view! { <p>"No row in this file can be imported. Correct the file and upload it again."</p> }.into_any()
        }}
        <form on:submit=discard novalidate>
            <Button busy=busy class="nhsuk-button--secondary">"Discard this upload"</Button>
        </form>
        <p class="nhsuk-body-s">
            "If it is not imported, this upload is discarded on "{local_long_date_time(&upload.expires_at)}"."
        </p>
    }
}

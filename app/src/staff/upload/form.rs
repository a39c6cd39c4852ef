//! `/staff/teams/:team_id/upload`: the admin chooses a CSV file and sends it
//! to be checked. What can be known without sending it (no file, not a CSV,
//! empty, too large) is said at once; the server checks the rest.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use portico_types::api::{CSV_UPLOAD_MAX_BYTES, Role, TeamSummary};

use super::columns::ColumnsHelp;
use super::import_href;
use crate::api::{self, ApiError};
use crate::forms::{self, Button, ErrorItem, ErrorSummary, FileInput, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::staff::records::records_href;
use crate::staff::session::{Notice, StaffSession, sign_in_on_unauthorised};
use crate::staff::{HOME_PATH, SERVICE, SIGN_IN_PATH};

const FILE: &str = "file";

/// What the browser knows of the chosen file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chosen {
    name: String,
    bytes: u64,
}

/// What is wrong with the choice before anything is sent, in GOV.UK's words
/// for file uploads.
fn choice_error(chosen: Option<&Chosen>) -> Option<String> {
    let Some(chosen) = chosen else {
        return Some("Select a CSV file of patients".to_owned());
    };
    if !chosen.name.to_ascii_lowercase().ends_with(".csv") {
        Some("The selected file must be a CSV".to_owned())
    } else if chosen.bytes == 0 {
        Some("The selected file is empty".to_owned())
    } else if chosen.bytes > CSV_UPLOAD_MAX_BYTES {
        Some(format!(
            "The selected file must be smaller than {} MB. Split it into smaller files and upload each one",
            CSV_UPLOAD_MAX_BYTES / (1024 * 1024)
        ))
    } else {
        None
    }
}

/// The server's refusal of the file as the form's errors: its reasons for a
/// file it could not take (several, when several columns are wrong), or one
/// sentence for anything else.
fn refusal_errors(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(p) if matches!(p.status, 413 | 415 | 422) => {
            let items = forms::from_problem(p, &[FILE]);
            if items.is_empty() { vec![ErrorItem::field(FILE, error.message())] } else { items }
        }
        ApiError::Refused(p) if p.status == 403 => {
            vec![ErrorItem::form("Only an admin of this team can upload patients")]
        }
        _ => vec![ErrorItem::form(error.message())],
    }
}

/// The upload page: the team's name, what the file must hold, and the form.
#[component]
pub fn UploadPage() -> impl IntoView {
    show_page("Upload patients", SERVICE);
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
        <a class="nhsuk-back-link" href=move || records_href(&team_id.get(), None, 1)>"Back to the team's records"</a>
        {move || match (teams.get(), team.get()) {
            (None, _) => view! { <p role="status">"Loading…"</p> }.into_any(),
            (Some(Err(ApiError::Unauthorised(_))), _) => ().into_any(),
            (Some(Err(error)), _) => view! { <p role="status">{error.message()}</p> }.into_any(),
            (_, Some(Some(team))) if team.roles.contains(&Role::Admin) => view! { <Form team=team/> }.into_any(),
            (_, Some(Some(team))) => view! {
                <h1 tabindex="-1">"Only a team admin can upload patients"</h1>
                <p>"Ask an admin of "{team.name}" to upload the file, or to give you the admin role."</p>
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

#[component]
fn Form(team: TeamSummary) -> impl IntoView {
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();
    let session = StaffSession::get();
    let team_id = team.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let file = input.get_untracked().and_then(|i| i.files()).and_then(|files| files.get(0));
        let chosen = file.as_ref().map(|f| Chosen { name: f.name(), bytes: f.size() as u64 });
        if let Some(message) = choice_error(chosen.as_ref()) {
            errors.set(vec![ErrorItem::field(FILE, message)]);
            return;
        }
        let Some(file) = file else { return };
        errors.set(Vec::new());
        busy.set(true);
        let (team_id, navigate) = (team_id.clone(), navigate.clone());
        spawn_local(async move {
            let answer = api::upload_patients(&team_id, &file).await;
            busy.set(false);
            match answer {
                Ok(upload) => navigate(&import_href(&team_id, &upload.id, 1), Default::default()),
                Err(ApiError::Unauthorised(_)) => {
                    session.end(Notice::SessionEnded);
                    navigate(SIGN_IN_PATH, Default::default());
                }
                Err(error) => errors.set(refusal_errors(&error)),
            }
        });
    };
    let file_error = Signal::derive(move || errors.with(|e| message_for(e, FILE)));
    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{team.name}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Upload patients"
        </h1>
        <p>
            "Upload a CSV file of patients to create their records in this team, or to bring records up to date. "
            "A record is matched by NHS number."
        </p>
        <p>"You will see every row with a problem before anything is imported."</p>
        <ColumnsHelp/>
        <form on:submit=submit novalidate>
            <FileInput
                id=FILE
                label="Choose a CSV file"
                hint="Up to 256 MB and 1,000,000 patients"
                accept=".csv,text/csv"
                input=input
                error=file_error
            />
            <Button busy=busy>"Check the file"</Button>
            <Show when=move || busy.get()>
                <p class="nhsuk-body" role="status">"Checking the file. This can take a minute for a large file."</p>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(name: &str, bytes: u64) -> Option<Chosen> {
        Some(Chosen { name: name.to_owned(), bytes })
    }

    #[test]
    fn a_choice_is_checked_before_sending() {
        assert_eq!(choice_error(None).as_deref(), Some("Select a CSV file of patients"));
        assert_eq!(
            choice_error(chosen("patients.xlsx", 10).as_ref()).as_deref(),
            Some("The selected file must be a CSV")
        );
        assert_eq!(choice_error(chosen("patients.csv", 0).as_ref()).as_deref(), Some("The selected file is empty"));
        assert!(
            choice_error(chosen("p.csv", 2 * 1024 * 1024 * 1024).as_ref())
                .unwrap()
                .starts_with("The selected file must be smaller than 256 MB")
        );
        assert_eq!(choice_error(chosen("PATIENTS.CSV", 100).as_ref()), None);
    }
}

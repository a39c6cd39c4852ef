//! The team page's section for its admins: the team's professionals who
//! also have a health record in the team, whether each has been invited to
//! see it, and one button that invites all who can be.
//!
//! Only admins are answered by the server (anyone else gets a 403), so the
//! page shows the section to admins only, and a refusal hides it rather than
//! showing an error.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{ProfessionalAsPatient, ProfessionalInvitationsSent, ProfessionalsAsPatientsResponse};

use super::SearchPlace;
use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem};
use crate::loader::load;
use crate::staff::record::record_href;
use crate::success_banner::SuccessBanner;

const HEADINGS: [&str; 4] = ["Name", "Email", "Matched by", "Status"];
const HEADING_ID: &str = "professionals-as-patients";

/// How the record was found to be theirs, in plain words.
fn matched_words(matched_by: &str) -> &'static str {
    match matched_by {
        "nhs_number" => "NHS number on staff profile",
        "email_and_date_of_birth" => "Email and date of birth",
        _ => "Other details",
    }
}

/// The state's tag: its words and colour.
fn state_tag(state: &str) -> (&'static str, &'static str) {
    match state {
        "not_invited" => ("Not invited", "nhsuk-tag--grey"),
        "invited" => ("Invited", "nhsuk-tag--blue"),
        "registered" => ("Registered", "nhsuk-tag--green"),
        "registered_elsewhere" => ("Registered with another account", "nhsuk-tag--yellow"),
        _ => ("Cannot be invited", "nhsuk-tag--white"),
    }
}

/// "Invite 2 professionals", "Invite 1 professional".
fn invite_label(invitable: u64) -> String {
    match invitable {
        1 => "Invite 1 professional".to_owned(),
        n => format!("Invite {n} professionals"),
    }
}

/// What an invitation run did, for the success banner.
fn sent_sentence(sent: &ProfessionalInvitationsSent) -> String {
    match sent.invited {
        0 => "Nobody was invited: everyone listed had already been invited, or cannot be".to_owned(),
        1 => "1 professional invited by email".to_owned(),
        n => format!("{n} professionals invited by email"),
    }
}

/// The server's refusal of an invitation run, for the page's error summary.
fn refusal(error: &ApiError) -> ErrorItem {
    match error {
        ApiError::Refused(p) if p.status == 403 => {
            ErrorItem::form("Only an admin of this team can invite its professionals")
        }
        other => ErrorItem::form(other.message()),
    }
}

/// The section, for a team the signed-in professional is an admin of. It
/// shows nothing until the list is loaded, nor when nobody is on it; failed
/// invitations go to the page's `errors`.
#[component]
pub fn Professionals(team_id: String, errors: RwSignal<Vec<ErrorItem>>) -> impl IntoView {
    // Bumped after an invitation run, to read the list again.
    let changes = RwSignal::new(0u32);
    // The records the names open take the team's first page as their way back.
    let from = StoredValue::new(SearchPlace { team_id: team_id.clone(), q: None, page: 1 }.query());
    let list = {
        let team_id = team_id.clone();
        load(move || {
            changes.track();
            let team_id = team_id.clone();
            async move { api::professionals_as_patients(&team_id).await }
        })
    };
    // Kept while the list is read again, so the section (and focus in it) stays.
    let shown = Memo::new(move |_| list.with(|l| matches!(l, Some(Ok(answer)) if !answer.professionals.is_empty())));
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let invite = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let team_id = team_id.clone();
        spawn_local(async move {
            let answer = api::invite_professionals(&team_id).await;
            busy.set(false);
            match answer {
                Ok(sent) => {
                    errors.set(Vec::new());
                    done.set(Some(sent_sentence(&sent)));
                }
                Err(error) => {
                    done.set(None);
                    errors.set(vec![refusal(&error)]);
                }
            }
            changes.update(|n| *n += 1);
        });
    });

    view! {
        <Show when=move || shown.get()>
            <section aria-labelledby=HEADING_ID>
                <div class="nhsuk-grid-row">
                    <div class="nhsuk-grid-column-two-thirds">
                        <h2 id=HEADING_ID>"Professionals with a record in this team"</h2>
                        {move || done.get().map(|message| view! {
                            <SuccessBanner heading=message title_id="professionals-invited-title"/>
                        })}
                        <p>
                            "These members of your team have a health record in it, found by the NHS number on "
                            "their staff profile or by their email address and date of birth. Once invited, they "
                            "can see their own record in Portico with the account they use here."
                        </p>
                    </div>
                </div>
                {move || list.with(|l| match l {
                    Some(Ok(answer)) => Some(view! {
                        <ListAndButton answer=answer.clone() from=from.get_value() busy=busy invite=invite/>
                    }),
                    _ => None,
                })}
            </section>
        </Show>
    }
}

/// The table, and the button (or why there is none).
#[component]
fn ListAndButton(
    answer: ProfessionalsAsPatientsResponse,
    from: String,
    busy: RwSignal<bool>,
    invite: Callback<()>,
) -> impl IntoView {
    let ProfessionalsAsPatientsResponse { professionals, invitable } = answer;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        invite.run(());
    };
    view! {
        <ProfessionalsTable professionals=professionals from=from/>
        {if invitable == 0 {
            view! {
                <p>"There is nobody left to invite: everyone listed has been invited, has registered, or cannot be."</p>
            }
            .into_any()
        } else {
            view! {
                <form on:submit=submit novalidate>
                    <p class="nhsuk-body-s">"Each gets an email with a link to add their record to their account."</p>
                    <Button busy=busy>{invite_label(invitable)}</Button>
                </form>
            }
            .into_any()
        }}
    }
}

/// An NHS.UK responsive table (see `crate::table`), with the status as a tag.
#[component]
fn ProfessionalsTable(professionals: Vec<ProfessionalAsPatient>, from: String) -> impl IntoView {
    view! {
        <table class="nhsuk-table nhsuk-table--responsive" role="table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">
                "Professionals with a record in this team"
            </caption>
            <thead class="nhsuk-table__head" role="rowgroup">
                <tr class="nhsuk-table__row" role="row">
                    {HEADINGS.iter().map(|h| view! {
                        <th class="nhsuk-table__header" scope="col" role="columnheader">{*h}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {professionals.into_iter().map(|p| view! { <Row professional=p from=from.clone()/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(professional: ProfessionalAsPatient, from: String) -> impl IntoView {
    let ProfessionalAsPatient { name, email, record_id, matched_by, state, .. } = professional;
    let (tag, colour) = state_tag(&state);
    let [name_h, email_h, matched_h, status_h] = HEADINGS;
    // A line may break after the @ (and, failing that, anywhere).
    let (mailbox, domain) = match email.as_str().split_once('@') {
        Some((mailbox, domain)) => (format!("{mailbox}@"), domain.to_owned()),
        None => (email.to_string(), String::new()),
    };
    view! {
        <tr class="nhsuk-table__row" role="row">
            <td class="nhsuk-table__cell" role="cell">
                // Shown only at narrow widths, where the header row is hidden.
                <span class="nhsuk-table__heading" aria-hidden="true">{name_h}" "</span>
                <a href=record_href(&record_id, Some(&from))>{name}</a>
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{email_h}" "</span>
                <span class="portico-prose">{mailbox}<wbr/>{domain}</span>
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{matched_h}" "</span>
                {matched_words(&matched_by)}
            </td>
            <td class="nhsuk-table__cell" role="cell">
                <span class="nhsuk-table__heading" aria-hidden="true">{status_h}" "</span>
                <span><strong class=format!("nhsuk-tag {colour}")>{tag}</strong></span>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_words() {
        assert_eq!(state_tag("not_invited").0, "Not invited");
        assert_eq!(state_tag("registered_elsewhere").0, "Registered with another account");
        assert_eq!(state_tag("cannot_invite").0, "Cannot be invited");
        assert_eq!(matched_words("nhs_number"), "NHS number on staff profile");
        assert_eq!(matched_words("email_and_date_of_birth"), "Email and date of birth");
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(invite_label(1), "Invite 1 professional");
        assert_eq!(invite_label(2), "Invite 2 professionals");
        assert_eq!(
            sent_sentence(&ProfessionalInvitationsSent { invited: 2, skipped: 1 }),
            "2 professionals invited by email"
        );
        assert_eq!(
            sent_sentence(&ProfessionalInvitationsSent { invited: 1, skipped: 0 }),
            "1 professional invited by email"
        );
    }
}

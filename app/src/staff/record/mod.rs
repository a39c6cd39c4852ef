//! `/staff/records/:record_id`: one patient's record as staff see it: who
//! the patient is, whether they are registered, their teams, their entries,
//! how the record changed, and (for staff who may see it) the safeguarding
//! exclusion, which a safeguarding lead sets or lifts here.
//!
//! The address carries the search the record was opened from
//! (`?team=…&q=…&page=…`), so the back link returns to the same results.

mod add_carer;
pub(super) mod carer_words;
mod carers;
mod emails_sent;
mod entries;
mod exclusion;
mod extend_carer;
mod history;
mod invite;
mod override_carer;
mod reminders;
mod summary;

pub use add_carer::AddCarerPage;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portico_types::api::{RecordDetailResponse, RecordHistoryResponse};

use super::loader::load;
use super::records::SearchPlace;
use super::session::sign_in_on_unauthorised;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{ErrorItem, ErrorSummary};
use crate::page::{focus_heading, show_page};

/// The address of a record's page; `from` is a [`SearchPlace::query`].
pub fn record_href(record_id: &str, from: Option<&str>) -> String {
    let record: String = js_sys::encode_uri_component(record_id).into();
    match from {
        Some(from) if !from.is_empty() => format!("{HOME_PATH}/records/{record}?{from}"),
        _ => format!("{HOME_PATH}/records/{record}"),
    }
}

thread_local! {
    // What a page that leads back here did (the add-carer page), said once
    // in the record page's success banner.
    static NEXT_MESSAGE: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// Says `message` in the success banner of the next record page shown.
pub fn announce_on_record_page(message: &'static str) {
    NEXT_MESSAGE.with(|next| next.set(Some(message)));
}

/// The record page, in every state: loading, shown, missing, refused.
#[component]
pub fn RecordPage() -> impl IntoView {
    show_page("Patient record", SERVICE);
    let params = use_params_map();
    let query = use_query_map();
    let record_id = Memo::new(move |_| params.with(|p| p.get("record_id")).unwrap_or_default());
    let place = Memo::new(move |_| {
        query.with(|q| {
            q.get("team").filter(|t| !t.is_empty()).map(|team_id| SearchPlace {
                team_id,
                q: q.get("q").filter(|q| !q.trim().is_empty()),
                page: q.get("page").and_then(|n| n.parse().ok()).filter(|n| *n >= 1).unwrap_or(1),
            })
        })
    });

    // Bumped after a change, to read the record and its history again.
    let changes = RwSignal::new(0u32);
    // One load for both (one set of signals in the bundle, not two): the
    // history matters only once the record is there.
    let record = load(move || {
        changes.track();
        let id = record_id.get();
        async move {
            let detail = api::staff_record(&id).await?;
            Ok::<_, ApiError>((detail, api::record_history(&id).await))
        }
    });
    sign_in_on_unauthorised(record);

    // The forms' errors, shown in the summary at the top of the page.
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let issued = RwSignal::new(None::<portico_types::api::IssuedInvitation>);
    // What the last change did, said at the top once the page shows it.
    let announced = NEXT_MESSAGE.with(std::cell::Cell::take);
    let done = RwSignal::new(announced);
    let focus_when_shown = RwSignal::new(announced.is_some());
    let changed = Callback::new(move |message: &'static str| {
        errors.set(Vec::new());
        done.set(Some(message));
        focus_when_shown.set(true);
        changes.update(|n| *n += 1);
    });
    // A failed attempt replaces the confirmation of the one before.
    Effect::new(move |_| {
        if errors.with(|e| !e.is_empty()) {
            done.set(None);
        }
    });
    // After a change, focus goes to the heading once the new answer is shown,
    // as after a page change, so a screen reader starts from the top again.
    Effect::new(move |_| {
        // Not while loading: the heading then is the loading page's.
        if record.with(Option::is_none) {
            return;
        }
        if focus_when_shown.get_untracked() {
            focus_when_shown.set(false);
            request_animation_frame(focus_heading);
        }
    });

    let back = move || match place.get() {
        Some(place) => (place.results_href(), "Back to search results"),
        None => (HOME_PATH.to_owned(), "Back to your teams"),
    };

    view! {
        {move || {
            let (href, text) = back();
            view! { <a class="nhsuk-back-link" href=href>{text}</a> }
        }}
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                // Present from the start, so what is put in it is announced.
                <div role="status">
                    {move || done.get().map(|message| view! { <Done message=message/> })}
                </div>
                <ErrorSummary errors=errors/>
                {move || match record.get() {
                    None => view! { <Closed heading="Patient record" lines=&["Loading the record…"] live=true/> },
                    Some(Ok((detail, history))) => {
                        let from = place.get().map(|p| p.query());
                        return view! {
                            <Record detail=detail history=history errors=errors changed=changed issued=issued from=from/>
                        }
                        .into_any();
                    }
                    // The redirect to sign in is on its way.
                    Some(Err(ApiError::Unauthorised(_))) => return ().into_any(),
                    Some(Err(ApiError::Refused(p))) if p.status == 404 => view! {
                        <Closed heading="Record not found" lines=&[
                            "There is no record at this address, or it is not in any of your teams.",
                            "Check the address, or search your team's records again.",
                        ]/>
                    },
                    Some(Err(ApiError::Refused(p))) if p.status == 403 => view! {
                        <Closed heading="You do not have access to this record" lines=&[
                            "Patient records are open to professionals in the patient's teams only.",
                            "If you think you should have access, ask an admin of your team.",
                        ]/>
                    },
                    Some(Err(_)) => view! {
                        <Closed heading="Patient record" lines=&[
                            "Sorry, the record could not be loaded. Try again later.",
                        ]/>
                    },
                }
                .into_any()}
            </div>
        </div>
    }
}

/// A page with no record to show: loading, missing, refused, failed.
#[component]
fn Closed(heading: &'static str, lines: &'static [&'static str], #[prop(optional)] live: bool) -> impl IntoView {
    view! {
        <h1 tabindex="-1">{heading}</h1>
        <div role=live.then_some("status")>
            {lines.iter().map(|line| view! { <p>{*line}</p> }).collect_view()}
        </div>
    }
}

/// The confirmation of a change that went through.
#[component]
fn Done(message: &'static str) -> impl IntoView {
    view! {
        <div class="nhsuk-notification-banner nhsuk-notification-banner--success">
            <div class="nhsuk-notification-banner__header">
                <p class="nhsuk-notification-banner__title">"Success"</p>
            </div>
            <div class="nhsuk-notification-banner__content">
                <p class="nhsuk-notification-banner__heading">{message}</p>
            </div>
        </div>
    }
}

/// The whole record, once loaded.
#[component]
fn Record(
    detail: RecordDetailResponse,
    history: Result<RecordHistoryResponse, ApiError>,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
    issued: RwSignal<Option<portico_types::api::IssuedInvitation>>,
    /// The search the record was opened from, as a query, for the pages it links to.
    from: Option<String>,
) -> impl IntoView {
    let RecordDetailResponse {
        record,
        teams,
        entries,
        registration,
        exclusion,
        may_manage_exclusion,
        may_invite,
        invitation,
    } = detail;
    let invitable = may_invite && exclusion.is_none() && registration != "registered";
    let contact = invite::Contact { email: record.email.clone(), mobile: record.mobile.clone() };
    let name = format!("{} {}", record.given_name, record.family_name);
    let patient_name = name.clone();
    let record_id = record.id.clone();
    let excluded = exclusion.is_some();
    let team_ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let add_href = add_carer::add_carer_href(&record_id, from.as_deref());
    view! {
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">
                "Patient record"<span class="nhsuk-u-visually-hidden">" – "</span>
            </span>
            {name}
        </h1>
        {exclusion.map(|flag| view! { <exclusion::Flag flag=flag/> })}
        <summary::Details record=record/>
        <summary::Registration state=registration excluded=excluded invitation=invitation/>
        {invitable.then(|| view! {
            <invite::InviteForm
                record_id=record_id.clone()
                patient_name=patient_name
                contact=contact
                errors=errors
                changed=changed
                issued=issued
            />
        })}
        <carers::Carers
            record_id=record_id.clone()
            team_ids=team_ids
            excluded=excluded
            add_href=add_href
            errors=errors
            changed=changed
        />
        <emails_sent::EmailsSent record_id=record_id.clone()/>
        <reminders::Reminders record_id=record_id.clone() errors=errors changed=changed/>
        {may_manage_exclusion.then(|| {
            if excluded {
                view! { <exclusion::LiftForm record_id=record_id.clone() errors=errors changed=changed/> }.into_any()
            } else {
                view! { <exclusion::SetForm record_id=record_id.clone() errors=errors changed=changed/> }.into_any()
            }
        })}
        <summary::Teams teams=teams/>
        <entries::Entries entries=entries/>
        <history::History history=history/>
    }
}

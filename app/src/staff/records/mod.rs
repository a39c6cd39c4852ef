//! `/staff/teams/:team_id`: a team's records, searched and paged.
//!
//! The search text and the page number live in the address (`?q=…&page=…`),
//! so back, forward and refresh show the same results, and a search is a link
//! that can be shared with a colleague who has access to the same team.

mod kiosks;
mod professionals;
mod results;
mod search;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portico_types::api::Role;

use super::campaigns::campaigns_href;
use super::loader::load;
use super::session::sign_in_on_unauthorised;
use super::sign_ups::sign_ups_href;
use super::upload::upload_href;
use super::uptake::uptake_href;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{self, ErrorItem, ErrorSummary};
use crate::page::{focus_heading, show_page};

/// The address of one page of a team's records.
pub fn records_href(team_id: &str, q: Option<&str>, page: u32) -> String {
    let team: String = js_sys::encode_uri_component(team_id).into();
    let mut href = format!("{HOME_PATH}/teams/{team}");
    let mut sep = '?';
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        let q: String = js_sys::encode_uri_component(q.trim()).into();
        href.push_str(&format!("{sep}q={q}"));
        sep = '&';
    }
    if page > 1 {
        href.push_str(&format!("{sep}page={page}"));
    }
    href
}

/// Where in a team's records a professional was: what opens a record from
/// the results carries it, so the record's back link returns to the same
/// search and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlace {
    pub team_id: String,
    pub q: Option<String>,
    pub page: u32,
}

impl SearchPlace {
    /// The address of the results this place names.
    pub fn results_href(&self) -> String {
        records_href(&self.team_id, self.q.as_deref(), self.page)
    }

    /// The query (`team=…&q=…&page=…`) a record's address carries.
    pub fn query(&self) -> String {
        let encode = |s: &str| -> String { js_sys::encode_uri_component(s).into() };
        let mut query = format!("team={}", encode(&self.team_id));
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            query.push_str(&format!("&q={}", encode(q.trim())));
        }
        if self.page > 1 {
            query.push_str(&format!("&page={}", self.page));
        }
        query
    }
}

/// The records page: search box, result count, table and pagination.
#[component]
pub fn TeamRecords() -> impl IntoView {
    show_page("Team records", SERVICE);
    let params = use_params_map();
    let query = use_query_map();
    let team_id = Memo::new(move |_| params.with(|p| p.get("team_id")).unwrap_or_default());
    let q = Memo::new(move |_| query.with(|p| p.get("q")).filter(|q| !q.trim().is_empty()));
    let page = Memo::new(move |_| {
        query.with(|p| p.get("page")).and_then(|n| n.parse::<u32>().ok()).filter(|n| *n >= 1).unwrap_or(1)
    });

    let results = load(move || {
        let (team, q, page) = (team_id.get(), q.get(), page.get());
        async move { api::team_records(&team, q.as_deref(), page).await }
    });
    sign_in_on_unauthorised(results);

    // A failed invitation of the team's professionals (their section's button).
    let invite_errors = RwSignal::new(Vec::<ErrorItem>::new());
    // A kiosk that could not be set up or switched off (the kiosks' section).
    let kiosk_errors = RwSignal::new(Vec::<ErrorItem>::new());
    // A search the server could not read (422) is an error on the search box.
    let errors = Signal::derive(move || {
        let mut items = results.with(|r| match r {
            Some(Err(ApiError::Refused(p))) if p.status == 422 => {
                let mut items = forms::from_problem(p, &["q"]);
                if items.is_empty() {
                    items.push(ErrorItem::field("q", p.detail.clone().unwrap_or_else(|| p.title.clone())));
                }
                items
            }
            _ => Vec::new(),
        });
        items.extend(invite_errors.get());
        items.extend(kiosk_errors.get());
        items
    });
    // Kept from the last answer that had it: a refused search has no team.
    let team_name = Memo::new(move |before: Option<&Option<String>>| {
        results.with(|r| match r {
            Some(Ok(answer)) => Some(answer.team.name.clone()),
            _ => before.cloned().flatten(),
        })
    });
    // No such team, or not this professional's: the page says so instead.
    let closed = Memo::new(move |_| {
        results.with(|r| match r {
            Some(Err(ApiError::Refused(p))) if p.status == 404 => Some(Closed::NotFound),
            Some(Err(ApiError::Refused(p))) if p.status == 403 => Some(Closed::Forbidden),
            _ => None,
        })
    });
    // The team, when the professional is one of its admins: kept through a
    // refused search, so the professionals' section stays as it was.
    let admin_of = Memo::new(move |before: Option<&Option<String>>| {
        results.with(|r| match r {
            Some(Ok(answer)) => answer.team.roles.contains(&Role::Admin).then(|| answer.team.id.clone()),
            Some(Err(ApiError::Refused(p))) if p.status == 422 => before.cloned().flatten(),
            _ => None,
        })
    });
    // The team, when the professional may set up its kiosks (an admin or a receptionist).
    let kiosks_of = Memo::new(move |before: Option<&Option<String>>| {
        results.with(|r| match r {
            Some(Ok(answer)) => answer
                .team
                .roles
                .iter()
                .any(|role| matches!(role, Role::Admin | Role::Receptionist))
                .then(|| answer.team.id.clone()),
            Some(Err(ApiError::Refused(p))) if p.status == 422 => before.cloned().flatten(),
            _ => None,
        })
    });
    let heading = move || match (closed.get(), team_name.get()) {
        (Some(closed), _) => closed.heading().to_owned(),
        (None, Some(name)) => name,
        (None, None) => "Team records".to_owned(),
    };
    // Previous/next replace the links that were pressed: focus goes to the
    // heading, as on a new page, rather than being lost to the body. A new
    // search keeps focus in the form, and the result count is announced.
    Effect::new(move |seen: Option<(Option<String>, u32)>| {
        let now = (q.get(), page.get());
        if seen.is_some_and(|(seen_q, seen_page)| seen_q == now.0 && seen_page != now.1) {
            request_animation_frame(focus_heading);
        }
        now
    });
    Effect::new(move |_| {
        if closed.with(Option::is_some) || team_name.with(Option::is_some) {
            document().set_title(&format!("{} – {SERVICE}", heading()));
        }
    });

    view! {
        <a class="nhsuk-back-link" href=HOME_PATH>"Back to your teams"</a>
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">{heading}</h1>
        {move || results.with(|r| match r {
            Some(Ok(answer)) if answer.team.roles.iter().any(|role| matches!(role, Role::Admin | Role::Clinician)) => {
                let admin = answer.team.roles.contains(&Role::Admin);
                let team = answer.team.id.clone();
                Some(view! {
                    <ul class="nhsuk-list">
                        <li><a href=sign_ups_href(&team)>"Sign-ups waiting"</a>": people who asked to join on the team's join page"</li>
                        {admin.then(|| view! {
                            <li><a href=upload_href(&team)>"Upload patients from a CSV file"</a></li>
                            <li><a href=campaigns_href(&team)>"Campaigns"</a>": invite many patients at once"</li>
                            <li><a href=uptake_href(&team)>"Uptake report"</a>": how many were invited and registered"</li>
                        })}
                    </ul>
                })
            }
            _ => None,
        })}
        <Show when=move || closed.with(Option::is_none)>
            <search::SearchForm team_id=team_id q=q errors=errors/>
        </Show>
        {move || match results.get() {
            None => view! { <p role="status">"Loading records…"</p> }.into_any(),
            Some(Ok(answer)) => view! { <results::Results answer=answer q=q.get_untracked()/> }.into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(ApiError::Refused(p))) if p.status == 422 => ().into_any(),
            Some(Err(_)) if closed.with(Option::is_some) => view! {
                <p>"Check the address, or choose one of your teams."</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
            Some(Err(error)) => view! {
                <p role="status">{error.message()}</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
        }}
        {move || admin_of.get().map(|team_id| view! {
            <professionals::Professionals team_id=team_id errors=invite_errors/>
        })}
        {move || kiosks_of.get().map(|team_id| view! { <kiosks::Kiosks team_id=team_id errors=kiosk_errors/> })}
    }
}

/// Why the page shows no records at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    NotFound,
    Forbidden,
}

impl Closed {
    fn heading(self) -> &'static str {
        match self {
            Closed::NotFound => "Team not found",
            Closed::Forbidden => "You do not have access to this team",
        }
    }
}

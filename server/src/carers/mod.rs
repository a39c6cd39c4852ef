//! Carers: access by one account to another person's record.
//!
//! A *link* (`carer_links`) gives an account a record at an access level on
//! stated grounds: an adult carer the patient invited, a parent or guardian
//! of a child, or a carer of an adult who lacks capacity (the last two added
//! by a professional, with the legal basis). A link is made only by accepting
//! a single-use emailed *invitation* that carries its terms.
//!
//! [`access::check`] is the one place that decides, at every request, what an
//! account may see of a record; nothing caches its answer, so a link ended a
//! moment ago no longer opens the record, even in a session already open.

pub mod accept;
pub mod accept_routes;
pub mod access;
pub mod bands;
pub mod coming_of_age;
pub mod emails;
pub mod extension;
pub mod history;
pub mod invite;
pub mod links;
pub mod privacy;
pub mod routes;
pub mod settings;
pub mod staff_routes;
pub mod terms;

pub use portico_types::api::{AccessLevel, CarerKind};

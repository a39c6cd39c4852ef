//! Portico's browser pages, client-side rendered with Leptos.
//!
//! Shared by both bundles: the NHS.UK page layout (`layout`), the form
//! components that render the NHS.UK form pattern once (`forms`), page titles
//! and focus (`page`), and the one typed API client (`api`). Each bundle's
//! pages sit behind a feature, so the patient's first load carries none of the
//! staff console: `patient` gives [`patient::PatientRoot`], `staff` gives
//! [`staff::StaffRoot`].

pub mod api;
pub mod dates;
pub mod forms;
pub mod layout;
pub mod loader;
pub mod not_found;
pub mod page;
pub mod pagination;
pub mod sign_in;
pub mod summary_list;
pub mod table;

#[cfg(feature = "patient")]
pub mod patient;
#[cfg(feature = "staff")]
pub mod staff;

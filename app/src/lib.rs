//! Portico's browser pages, client-side rendered with Leptos.
//!
//! Shared by every bundle: the NHS.UK page layout (`layout`), the form
//! components that render the NHS.UK form pattern once (`forms`), page titles
//! and focus (`page`), and the one typed API client (`api`). Each bundle's
//! pages sit behind a feature, so no first load carries pages the person is
//! not on: `patient`, `register` and `account` each give their pages under
//! [`patient::PatientRoot`] (see `portico_types::bundle`), `staff` gives
//! [`staff::StaffRoot`].

pub mod api;
pub mod dates;
pub mod forms;
pub mod layout;
pub mod loader;
pub mod not_found;
#[cfg(feature = "staff")]
pub mod numbers;
pub mod page;
pub mod pagination;
pub mod second_factor;
pub mod sign_in;
pub mod success_banner;
pub mod summary_list;
pub mod table;

#[cfg(any(
    feature = "patient",
    feature = "register",
    feature = "join",
    feature = "account",
    feature = "notifications",
    feature = "carers",
    feature = "carer-invitation",
    feature = "two-step"
))]
pub mod patient;
#[cfg(feature = "staff")]
pub mod staff;

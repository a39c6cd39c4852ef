#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure is a panic

//! API integration tests: the real server, a real database (each test runs on
//! SQLite and on PostgreSQL), a real HTTP client.

mod helpers;
mod invitations;
mod mail_catcher;

mod account_basics;
mod age_bands;
mod bad_input;
mod bulk_upsert;
mod campaign_crash;
mod campaigns;
mod carers;
mod csv_import;
mod escalation;
mod exclusions;
mod face_to_face;
mod fhir;
mod funnel;
mod health;
mod hl7;
mod hold_until_entries;
mod kiosk;
mod my_record;
mod nhs_login;
mod notifications;
mod openapi;
mod outbox;
mod professionals_as_patients;
mod record_history;
mod records;
mod registration;
mod registration_bad_input;
mod renewal;
mod second_factor;
mod security;
mod self_registration;
mod sessions;
mod shared_contacts;
mod sign_in;
mod two_instances;
mod uptake;

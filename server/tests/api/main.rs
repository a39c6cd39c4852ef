#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failure is a panic

//! API integration tests: the real server, a real database (each test runs on
//! SQLite and on PostgreSQL), a real HTTP client.

mod helpers;

mod bad_input;
mod bulk_upsert;
mod csv_import;
mod exclusions;
mod fhir;
mod health;
mod hl7;
mod my_record;
mod record_history;
mod records;
mod security;
mod sessions;
mod sign_in;

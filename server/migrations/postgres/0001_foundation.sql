-- Organisations, teams, accounts, professionals, records, sessions, throttles, audit.
-- Times are TEXT in one fixed-width UTC form (YYYY-MM-DDTHH:MM:SS.ffffffZ) so they
-- compare as strings on both engines; ids are hyphenated UUIDs; flags are 0/1.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    ods_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    email_verified_at TEXT,
    password_hash TEXT,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE professionals (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    nhs_number TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE team_roles (
    account_id TEXT NOT NULL REFERENCES professionals(account_id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'receptionist', 'safeguarding_lead')),
    PRIMARY KEY (account_id, team_id, role)
);

CREATE TABLE records (
    id TEXT PRIMARY KEY,
    nhs_number TEXT UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    -- Lower-cased "given family" for case-insensitive search on both engines.
    search_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    email TEXT,
    mobile TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX records_date_of_birth ON records(date_of_birth);
CREATE INDEX records_family_name ON records(family_name);

CREATE TABLE team_records (
    team_id TEXT NOT NULL REFERENCES teams(id),
    record_id TEXT NOT NULL REFERENCES records(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (team_id, record_id)
);
CREATE INDEX team_records_record ON team_records(record_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Failed sign-in counters, keyed by a hash of the email tried or by client address,
-- so missing accounts are throttled exactly like existing ones.
CREATE TABLE sign_in_throttles (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at TEXT NOT NULL,
    locked_until TEXT
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_account_id TEXT,
    record_id TEXT,
    team_id TEXT,
    ip TEXT,
    detail TEXT
);
CREATE INDEX audit_events_occurred ON audit_events(occurred_at);
CREATE INDEX audit_events_record ON audit_events(record_id);

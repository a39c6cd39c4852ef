-- Self-registration: a team's public join page at /join/<team slug>, the
-- registrations begun there (the details wait on the registration until the
-- email is proved and the account exists), and the sign-ups that wait in
-- the team's queue for a decision.

-- A team's join page; no row (or enabled = 0) means no page.
CREATE TABLE team_join_pages (
    team_id TEXT PRIMARY KEY REFERENCES teams(id),
    enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    -- Shown under the team's name; plain text.
    message TEXT NOT NULL DEFAULT '',
    -- 'review_all': every sign-up waits for staff. 'admit_proven': a sign-up
    -- whose identity NHS login proved (P9) is admitted at once.
    admission TEXT NOT NULL DEFAULT 'review_all' CHECK (admission IN ('review_all', 'admit_proven')),
    updated_by TEXT REFERENCES accounts(id),
    updated_at TEXT NOT NULL
);

-- A registration is now for an invitation (invitation and record) or for a
-- team's join page (team and the details typed there). SQLite cannot drop
-- NOT NULL in place, so the table is made again with the same rows; nothing
-- references it.
CREATE TABLE registrations_new (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    second_token_hash TEXT UNIQUE,
    invitation_id TEXT REFERENCES invitations(id),
    record_id TEXT REFERENCES records(id),
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    email TEXT,
    email_link_hash TEXT UNIQUE,
    email_code_hash TEXT,
    email_code_attempts INTEGER NOT NULL DEFAULT 0,
    email_sends INTEGER NOT NULL DEFAULT 0,
    email_sent_at TEXT,
    email_verified_at TEXT,
    completed_at TEXT,
    join_team_id TEXT REFERENCES teams(id),
    given_name TEXT,
    family_name TEXT,
    date_of_birth TEXT,
    nhs_number TEXT,
    mobile TEXT,
    CHECK (
        (invitation_id IS NOT NULL AND record_id IS NOT NULL AND join_team_id IS NULL)
        OR (invitation_id IS NULL AND record_id IS NULL AND join_team_id IS NOT NULL
            AND given_name IS NOT NULL AND family_name IS NOT NULL AND date_of_birth IS NOT NULL)
    )
);
INSERT INTO registrations_new (id, token_hash, second_token_hash, invitation_id, record_id, started_at, expires_at,
    email, email_link_hash, email_code_hash, email_code_attempts, email_sends, email_sent_at, email_verified_at,
    completed_at)
SELECT id, token_hash, second_token_hash, invitation_id, record_id, started_at, expires_at,
    email, email_link_hash, email_code_hash, email_code_attempts, email_sends, email_sent_at, email_verified_at,
    completed_at
FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_new RENAME TO registrations;
CREATE INDEX registrations_invitation ON registrations(invitation_id);

-- A patient's request to join a team, waiting in the team's queue until
-- staff link it to a record, make a record for it, or decline it.
CREATE TABLE sign_ups (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    source TEXT NOT NULL CHECK (source IN ('password', 'nhs_login')),
    -- What NHS login proved; none for a password sign-up.
    identity_level TEXT CHECK (identity_level IN ('P0', 'P5', 'P9')),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number TEXT,
    email TEXT NOT NULL,
    mobile TEXT,
    held_because TEXT NOT NULL CHECK (held_because IN
        ('team_reviews_all', 'identity_not_proven', 'excluded_record', 'record_has_owner', 'several_matches')),
    state TEXT NOT NULL CHECK (state IN ('waiting', 'linked', 'created', 'declined')),
    record_id TEXT REFERENCES records(id),
    decline_reason TEXT,
    decided_by TEXT REFERENCES accounts(id),
    decided_at TEXT,
    created_at TEXT NOT NULL,
    CHECK ((source = 'password') = (identity_level IS NULL)),
    CHECK ((state = 'waiting') = (decided_at IS NULL)),
    CHECK ((state IN ('linked', 'created')) = (record_id IS NOT NULL)),
    CHECK ((state = 'declined') = (decline_reason IS NOT NULL))
);
-- The team's queue, oldest first.
CREATE INDEX sign_ups_queue ON sign_ups(team_id, state, created_at);
CREATE INDEX sign_ups_account ON sign_ups(account_id, created_at);
-- One waiting sign-up per account and team: a second is refused, not queued twice.
CREATE UNIQUE INDEX sign_ups_one_waiting ON sign_ups(account_id, team_id) WHERE state = 'waiting';

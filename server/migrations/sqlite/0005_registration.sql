-- Invitations, registrations in progress, one-time account tokens, the email
-- outbox and the server's own secrets. Codes and tokens are stored only as
-- hashes (see server/src/secrets.rs for why codes are keyed hashes).

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    channel TEXT NOT NULL CHECK (channel IN ('letter', 'sms', 'email', 'kiosk', 'face_to_face', 'professional')),
    -- HMAC-SHA256 of the code under the server's code key.
    code_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('issued', 'sent', 'opened', 'locked', 'used', 'expired', 'revoked')),
    -- The address or number it went to; none for a letter.
    sent_to TEXT,
    issued_by TEXT REFERENCES accounts(id),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    used_by TEXT REFERENCES accounts(id)
);
CREATE INDEX invitations_record ON invitations(record_id, channel, state);
CREATE INDEX invitations_expiry ON invitations(state, expires_at);

-- A registration between "code and date of birth matched" and "account made".
-- Found by the hash of the token in the browser's registration cookie; a
-- second device that opens the email link gets a token of its own.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    second_token_hash TEXT UNIQUE,
    invitation_id TEXT NOT NULL REFERENCES invitations(id),
    record_id TEXT NOT NULL REFERENCES records(id),
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    email TEXT,
    email_link_hash TEXT UNIQUE,
    email_code_hash TEXT,
    email_code_attempts INTEGER NOT NULL DEFAULT 0,
    email_sends INTEGER NOT NULL DEFAULT 0,
    email_sent_at TEXT,
    email_verified_at TEXT,
    completed_at TEXT
);
CREATE INDEX registrations_invitation ON registrations(invitation_id);

-- Links sent to an account's email: password resets, changes of email.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_change')),
    new_email TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

-- Email waiting to go, written in the transaction of what caused it. A worker
-- claims due rows, sends them and marks them sent; the idempotency key makes
-- a second write of the same email a no-op.
CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    -- The invitation this email carries, marked sent when it goes.
    invitation_id TEXT REFERENCES invitations(id),
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    -- 'smtp', or 'development' when no SMTP server is configured.
    delivered_via TEXT,
    gave_up_at TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(sent_at, gave_up_at, next_attempt_at);

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);

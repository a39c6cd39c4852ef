-- Mass registration: campaigns over a cohort of a team's records, their
-- chunks (the unit of work one worker claims and finishes in one
-- transaction), letter batches, and what the outbox needs to pace and hold
-- bulk messages.

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    -- The cohort's filters as JSON (the list of NHS numbers, if any, is in campaign_listed).
    cohort TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'finished', 'cancelled')),
    total BIGINT NOT NULL,
    -- Chunks are claimed in record id order: the last record id claimed so far.
    claimed_through TEXT NOT NULL DEFAULT '',
    chunks_claimed BIGINT NOT NULL DEFAULT 0,
    processed BIGINT NOT NULL DEFAULT 0,
    issued BIGINT NOT NULL DEFAULT 0,
    skipped_excluded BIGINT NOT NULL DEFAULT 0,
    skipped_registered BIGINT NOT NULL DEFAULT 0,
    skipped_no_contact BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX campaigns_team ON campaigns(team_id, created_at);
CREATE INDEX campaigns_state ON campaigns(state);

-- The NHS numbers a cohort was limited to, as uploaded.
CREATE TABLE campaign_listed (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    nhs_number TEXT NOT NULL,
    PRIMARY KEY (campaign_id, nhs_number)
);

-- A run of consecutive cohort records (by id) that one worker claims, with a
-- lease, and finishes in one transaction: its invitations, messages and
-- letter batch are written together with `done_at`, or not at all.
CREATE TABLE campaign_chunks (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    seq BIGINT NOT NULL,
    first_record_id TEXT NOT NULL,
    last_record_id TEXT NOT NULL,
    claim_token TEXT,
    claimed_until TEXT,
    done_at TEXT,
    PRIMARY KEY (campaign_id, seq)
);
CREATE INDEX campaign_chunks_open ON campaign_chunks(campaign_id, done_at, claimed_until);

-- A letter campaign's print-ready output: one PDF and one print-house
-- manifest per chunk. They hold the codes in plain, as the printed letters do.
CREATE TABLE letter_batches (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    seq BIGINT NOT NULL,
    letters BIGINT NOT NULL,
    pdf BYTEA NOT NULL,
    manifest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    downloaded_at TEXT,
    PRIMARY KEY (campaign_id, seq)
);

-- One invitation per record per campaign: a chunk done twice cannot double one.
ALTER TABLE invitations ADD COLUMN campaign_id TEXT REFERENCES campaigns(id);
CREATE UNIQUE INDEX invitations_campaign_record ON invitations(campaign_id, record_id);
CREATE INDEX invitations_team_channel ON invitations(team_id, channel, issued_at);

-- Bulk messages wait behind a patient's own (priority 0 before 1), are held
-- while their campaign is paused, and are paced to Notify's per-minute limit
-- (counted from `last_attempt_at`). Notify's delivery receipts land in
-- `delivery_status`.
ALTER TABLE outbox ADD COLUMN campaign_id TEXT REFERENCES campaigns(id);
ALTER TABLE outbox ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN delivery_status TEXT;
ALTER TABLE outbox ADD COLUMN delivery_status_at TEXT;
CREATE INDEX outbox_pending ON outbox(priority, next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX outbox_campaign ON outbox(campaign_id, sent_at);
CREATE INDEX outbox_last_attempt ON outbox(last_attempt_at);
CREATE INDEX outbox_provider ON outbox(provider_id);

-- Notifications on account activity (issue 9): richer outbox rows, each
-- person's choices, events waiting to be sent (coalesced), and the devices
-- each account has signed in from.

-- The HTML alternative (cleared once sent, like the text), the name in `To`,
-- the RFC 8058 one-click unsubscribe address, and who and what the email is
-- about, for staff to see what was sent to a record's owner. `bounced`: the
-- receiving server refused it outright, rather than Portico giving up after
-- retries.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN to_name TEXT;
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
ALTER TABLE outbox ADD COLUMN account_id TEXT REFERENCES accounts(id);
ALTER TABLE outbox ADD COLUMN record_id TEXT REFERENCES records(id);
ALTER TABLE outbox ADD COLUMN kind TEXT;
ALTER TABLE outbox ADD COLUMN bounced BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_account ON outbox(account_id, created_at);
CREATE INDEX outbox_record ON outbox(record_id, created_at);

-- How a person wants each kind of notification; no row means immediately.
-- Security notices are not kinds here: they cannot be turned off.
CREATE TABLE notification_preferences (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('new_entries', 'invitation_accepted', 'carer_access', 'sign_up_decided')),
    delivery TEXT NOT NULL CHECK (delivery IN ('immediately', 'daily_digest', 'off')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- Events on their way to becoming an email. At most one pending row per
-- recipient, kind and delivery: later events fold into it (`events` counts
-- them) until the worker sends it, after the coalescing window from
-- `first_event_at` (immediately) or at the digest hour (daily_digest).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediately', 'daily_digest')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dropped')),
    events BIGINT NOT NULL,
    -- The record the latest event was on.
    record_id TEXT REFERENCES records(id),
    -- A carer's notification about someone else's record: 1.
    for_carer BIGINT NOT NULL DEFAULT 0,
    first_event_at TEXT NOT NULL,
    last_event_at TEXT NOT NULL,
    done_at TEXT,
    -- The outbox row it became.
    outbox_key TEXT
);
CREATE UNIQUE INDEX notifications_one_pending ON notifications(account_id, kind, delivery) WHERE state = 'pending';
CREATE INDEX notifications_pending ON notifications(delivery, first_event_at) WHERE state = 'pending';

-- Devices (browsers) an account has signed in from: the SHA-256 of the
-- random id in the device's long-lived cookie.
CREATE TABLE known_devices (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    device_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (account_id, device_hash)
);

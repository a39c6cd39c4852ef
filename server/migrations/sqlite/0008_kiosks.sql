-- Kiosk check-in at the clinic: devices a professional set up for a team,
-- and the short step between a patient identifying themselves at one and
-- choosing how to get their invitation.

-- A kiosk is found by the SHA-256 of the 256-bit token in its device's
-- cookie, like a session; revoking it switches the device off at once.
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT REFERENCES accounts(id),
    last_seen_at TEXT
);
CREATE INDEX kiosks_team ON kiosks(team_id, created_at);

-- A patient identified at a kiosk: a single-use token (only its SHA-256
-- here), bound to the kiosk and the record, that lives a couple of minutes.
CREATE TABLE kiosk_check_ins (
    token_hash TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL REFERENCES kiosks(id),
    record_id TEXT NOT NULL REFERENCES records(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX kiosk_check_ins_expiry ON kiosk_check_ins(expires_at);

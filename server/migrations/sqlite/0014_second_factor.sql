-- A second factor: a TOTP authenticator (RFC 6238), required of every
-- professional and optional for patients, with single-use recovery codes.
--
-- The TOTP secret is stored sealed (AES-256-GCM under a key derived from the
-- server's secret key), since the server must read it back to check a code.
-- `last_step` is the 30-second step of the last code accepted: a code is
-- accepted once (RFC 6238 5.2), so a code seen over a shoulder or replayed
-- from a log is refused. An unconfirmed row is an enrolment begun and not
-- yet proven with a code; it counts for nothing.
CREATE TABLE second_factors (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    sealed_secret TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER,
    created_at TEXT NOT NULL
);

-- Recovery codes, as keyed hashes (HMAC under the server key, like the
-- invitation codes): each works once, and the attempts are throttled per
-- account with the TOTP codes'.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (account_id, code_hash)
);

-- A session signed in with a password, waiting for its second factor:
-- 'verify' (enter a code) or 'enrol' (set an authenticator up first). Such a
-- session is good for nothing else; NULL is a whole session.
ALTER TABLE sessions ADD COLUMN second_factor TEXT CHECK (second_factor IN ('verify', 'enrol'));

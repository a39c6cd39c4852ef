-- NHS login: the identities that sign in to accounts, and sign-ins sent to
-- NHS login that have not come back yet.

-- An NHS login user, keyed by issuer and `sub` (NHS login's stable key, never
-- the email, which the person can change there), and the one account it
-- signs in to; the identity level it last proved.
CREATE TABLE nhs_login_identities (
    issuer TEXT NOT NULL,
    sub TEXT NOT NULL,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
    identity_level TEXT NOT NULL CHECK (identity_level IN ('P0', 'P5', 'P9')),
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    PRIMARY KEY (issuer, sub)
);

-- A sign-in on its way through NHS login: found by the SHA-256 of its
-- `state`, bound to the browser that started it by the SHA-256 of a token in
-- that browser's cookie, with the SHA-256 of the nonce the ID token must
-- carry, the page it started from (and the team's, for a self-registration
-- page). Used once.
CREATE TABLE nhs_login_authorisations (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    nonce_hash TEXT NOT NULL,
    came_from TEXT NOT NULL CHECK (came_from IN ('sign_in', 'register', 'join')),
    team_id TEXT REFERENCES teams(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX nhs_login_authorisations_expiry ON nhs_login_authorisations(expires_at);

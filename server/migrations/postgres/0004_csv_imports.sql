-- CSV uploads of patients by a team admin: each upload is checked and kept
-- for preview until it is committed, discarded or expires. The good rows wait
-- in batches (JSON), the problems one row each; both go once they are no longer needed.

CREATE TABLE csv_imports (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    uploaded_by TEXT NOT NULL REFERENCES accounts(id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_bytes BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ready', 'committed', 'discarded', 'expired')),
    rows_total BIGINT NOT NULL,
    rows_good BIGINT NOT NULL,
    rows_bad BIGINT NOT NULL,
    uploaded_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    committed_at TEXT,
    committed_by TEXT REFERENCES accounts(id),
    created BIGINT,
    updated BIGINT,
    unchanged BIGINT,
    -- Set while a commit runs in the background; it counts as running for a
    -- few minutes at most, so a commit cut off by a crash can be tried again.
    commit_requested_at TEXT,
    -- Why the last commit failed (it wrote nothing), for the page to say.
    commit_error TEXT
);
CREATE INDEX csv_imports_team ON csv_imports(team_id, uploaded_at);
CREATE INDEX csv_imports_expiry ON csv_imports(state, expires_at);

CREATE TABLE csv_import_batches (
    import_id TEXT NOT NULL REFERENCES csv_imports(id),
    seq BIGINT NOT NULL,
    -- A JSON array of [row number, patient details].
    patients TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE csv_import_problems (
    import_id TEXT NOT NULL REFERENCES csv_imports(id),
    seq BIGINT NOT NULL,
    row_number BIGINT NOT NULL,
    column_name TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
CREATE INDEX csv_import_problems_row ON csv_import_problems(import_id, row_number, seq);

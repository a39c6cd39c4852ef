-- Records first: contact and address details on records, their version history,
-- entries, safeguarding exclusions, and the keys feeds authenticate with.

ALTER TABLE records ADD COLUMN address_lines TEXT;
ALTER TABLE records ADD COLUMN postcode TEXT;
ALTER TABLE records ADD COLUMN gp_ods_code TEXT;
-- When the source last changed the patient (FHIR meta.lastUpdated, HL7 MSH-7):
-- an older message arriving late does not overwrite a newer one.
ALTER TABLE records ADD COLUMN source_updated_at TEXT;
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- One row per version of a record: what it became, who or what changed it, when.
CREATE TABLE record_versions (
    record_id TEXT NOT NULL REFERENCES records(id),
    version BIGINT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id),
    kind TEXT NOT NULL CHECK (kind IN ('letter', 'result', 'appointment', 'note')),
    -- Where the entry came from and its id there, so a feed sending it again updates it.
    source_system TEXT NOT NULL,
    source_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    occurred_at TEXT NOT NULL,
    sensitive BIGINT NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (record_id, source_system, source_id)
);
CREATE INDEX entries_record_occurred ON entries(record_id, occurred_at);

-- A safeguarding flag: while a row is here, no invitation goes out for the record.
CREATE TABLE exclusions (
    record_id TEXT PRIMARY KEY REFERENCES records(id),
    reason TEXT NOT NULL CHECK (reason IN ('safeguarding_concern', 'court_order', 'clinical_decision', 'deceased', 'other')),
    note TEXT NOT NULL,
    set_by TEXT NOT NULL REFERENCES accounts(id),
    set_at TEXT NOT NULL
);

CREATE TABLE feed_keys (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    -- Records a feed creates join this team.
    team_id TEXT NOT NULL REFERENCES teams(id),
    name TEXT NOT NULL,
    -- SHA-256 of the key: keys are 256-bit random, so a plain hash is enough.
    key_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

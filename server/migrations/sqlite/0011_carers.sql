-- Carers: access by one account to another person's record. A carer link
-- says who may open which record, on what grounds and how much of it; a
-- carer invitation is the emailed, single-use offer of a future link. Entries
-- gain the patient's own "private" mark beside the professional's
-- `sensitive` label (0002), which limited access hides alike.

-- The age at which a child's parent/guardian links come up (default 16), and
-- what happens then: 'end' the link, or mark it for 'review' by staff.
ALTER TABLE organisations ADD COLUMN carer_review_age INTEGER NOT NULL DEFAULT 16
    CHECK (carer_review_age BETWEEN 12 AND 18);
ALTER TABLE organisations ADD COLUMN carer_review_action TEXT NOT NULL DEFAULT 'end'
    CHECK (carer_review_action IN ('end', 'review'));

ALTER TABLE entries ADD COLUMN private_to_patient INTEGER NOT NULL DEFAULT 0
    CHECK (private_to_patient IN (0, 1));

-- The offer of a link, made by the patient (adult_carer_consent) or by a
-- professional (parent_guardian, adult_lacks_capacity), carrying the terms
-- the link will have. Only the SHA-256 of the emailed token is kept.
CREATE TABLE carer_invitations (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id),
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('adult_carer_consent', 'parent_guardian', 'adult_lacks_capacity')),
    access_level TEXT NOT NULL CHECK (access_level IN ('everything', 'not_private')),
    relationship TEXT,
    legal_basis TEXT,
    legal_note TEXT,
    -- The organisation of the professional who made it; none for the patient's own.
    organisation_id TEXT REFERENCES organisations(id),
    ends_at TEXT,
    -- A child's: the day they reach the organisation's age.
    review_at TEXT,
    -- A safeguarding lead's reason for inviting to an excluded record.
    exclusion_override TEXT,
    invited_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('issued', 'accepted', 'revoked', 'expired')),
    accepted_by TEXT REFERENCES accounts(id),
    decided_at TEXT,
    CHECK (
        (kind = 'adult_carer_consent' AND legal_basis IS NULL AND organisation_id IS NULL AND review_at IS NULL)
        OR (kind = 'parent_guardian' AND relationship IS NOT NULL AND organisation_id IS NOT NULL AND review_at IS NOT NULL
            AND legal_basis IS NOT NULL AND legal_basis IN ('parental_responsibility', 'court_order', 'special_guardianship', 'other'))
        OR (kind = 'adult_lacks_capacity' AND organisation_id IS NOT NULL AND review_at IS NULL
            AND legal_basis IS NOT NULL AND legal_basis IN ('lasting_power_of_attorney', 'court_deputy', 'best_interests'))
    ),
    CHECK (legal_basis IS NOT NULL OR legal_note IS NULL),
    CHECK (legal_basis IS NULL OR legal_basis <> 'other' OR legal_note IS NOT NULL),
    CHECK (ends_at IS NULL OR ends_at > created_at),
    CHECK (expires_at > created_at),
    CHECK ((state = 'accepted') = (accepted_by IS NOT NULL)),
    CHECK ((state = 'issued') = (decided_at IS NULL))
);
CREATE INDEX carer_invitations_record ON carer_invitations(record_id, state);

-- (An IN over a NULL is NULL, which a CHECK lets pass: hence the IS NOT NULLs.)

-- A carer's access to a record. Live while ended_at is empty and ends_at
-- (if any) is still ahead; every request checks that afresh.
CREATE TABLE carer_links (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records(id),
    carer_account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('adult_carer_consent', 'parent_guardian', 'adult_lacks_capacity')),
    access_level TEXT NOT NULL CHECK (access_level IN ('everything', 'not_private')),
    relationship TEXT,
    legal_basis TEXT,
    legal_note TEXT,
    organisation_id TEXT REFERENCES organisations(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    review_at TEXT,
    -- Set when the child reached the age and the organisation reviews rather than ends.
    review_due_since TEXT,
    granted_by TEXT NOT NULL REFERENCES accounts(id),
    invitation_id TEXT UNIQUE REFERENCES carer_invitations(id),
    ended_at TEXT,
    ended_by TEXT REFERENCES accounts(id),
    -- How it ended, and (from a professional) why in their words.
    ended_how TEXT CHECK (ended_how IN ('patient', 'carer', 'professional', 'safeguarding_lead', 'came_of_age', 'end_date')),
    end_reason TEXT,
    CHECK (
        (kind = 'adult_carer_consent' AND legal_basis IS NULL AND organisation_id IS NULL AND review_at IS NULL)
        OR (kind = 'parent_guardian' AND relationship IS NOT NULL AND organisation_id IS NOT NULL AND review_at IS NOT NULL
            AND legal_basis IS NOT NULL AND legal_basis IN ('parental_responsibility', 'court_order', 'special_guardianship', 'other'))
        OR (kind = 'adult_lacks_capacity' AND organisation_id IS NOT NULL AND review_at IS NULL
            AND legal_basis IS NOT NULL AND legal_basis IN ('lasting_power_of_attorney', 'court_deputy', 'best_interests'))
    ),
    CHECK (legal_basis IS NOT NULL OR legal_note IS NULL),
    CHECK (legal_basis IS NULL OR legal_basis <> 'other' OR legal_note IS NOT NULL),
    CHECK (ends_at IS NULL OR ends_at > starts_at),
    CHECK (review_due_since IS NULL OR kind = 'parent_guardian'),
    CHECK ((ended_at IS NULL) = (ended_how IS NULL)),
    CHECK (ended_by IS NULL OR ended_at IS NOT NULL),
    -- A professional or safeguarding lead ends a link with a reason; the patient,
    -- the carer, the birthday or the end date need none.
    CHECK (ended_how IS NULL OR ended_how NOT IN ('professional', 'safeguarding_lead') OR end_reason IS NOT NULL),
    CHECK (ended_how IS NULL OR ended_how IN ('came_of_age', 'end_date') OR ended_by IS NOT NULL)
);
-- One live link per carer and record.
CREATE UNIQUE INDEX carer_links_one_live ON carer_links(record_id, carer_account_id) WHERE ended_at IS NULL;
CREATE INDEX carer_links_carer ON carer_links(carer_account_id, ended_at);
-- What the coming-of-age job looks for.
CREATE INDEX carer_links_review ON carer_links(kind, ended_at, review_at);

-- The young person's own invitation when a child's record comes of age:
-- one row per record, so two runs of the job (or two parents' links) never
-- invite twice.
CREATE TABLE coming_of_age (
    record_id TEXT PRIMARY KEY REFERENCES records(id),
    outcome TEXT NOT NULL CHECK (outcome IN ('invited', 'already_registered', 'excluded', 'no_team')),
    invitation_id TEXT REFERENCES invitations(id),
    at TEXT NOT NULL,
    CHECK ((outcome = 'invited') = (invitation_id IS NOT NULL))
);

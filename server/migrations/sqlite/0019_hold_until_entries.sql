-- Invitations held until the record has something to see: a team's default
-- for new campaigns, and the holds a campaign made instead of invitations.

ALTER TABLE teams ADD COLUMN hold_until_entries INTEGER NOT NULL DEFAULT 0 CHECK (hold_until_entries IN (0, 1));

-- A record a campaign would have invited but whose record had no entry yet.
-- The release job ends the hold once the record has one (or the campaign is
-- cancelled): `released_at` is set once, by a conditional UPDATE, so two
-- instances never both release one; `outcome` says what became of it.
CREATE TABLE campaign_held (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    record_id TEXT NOT NULL REFERENCES records(id),
    held_at TEXT NOT NULL,
    released_at TEXT,
    outcome TEXT CHECK (outcome IN ('invited', 'excluded', 'registered', 'no_contact', 'opted_out', 'cap', 'left_cohort', 'cancelled')),
    PRIMARY KEY (campaign_id, record_id)
);
-- The release job walks the open holds in this order.
CREATE INDEX campaign_held_open ON campaign_held(campaign_id, record_id) WHERE released_at IS NULL;

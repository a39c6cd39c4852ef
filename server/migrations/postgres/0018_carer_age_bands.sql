-- Age bands for children's records (issue 11). An organisation sets the ages
-- at which a parent's or guardian's access to a child's record narrows (to
-- `not_private`: no entries the child marked private or a professional
-- labelled sensitive), comes up for a professional's review, or ends; and,
-- separately, the age at which the young person is invited to their own
-- record. They replace the one `carer_review_age`/`carer_review_action`
-- pair (0011), which stays in the table unread: an organisation that ended
-- links at that age has that one band; one that reviewed them has the review
-- at that age and the end at 18. An organisation with no bands has the
-- default, access ending at 16.
CREATE TABLE carer_age_bands (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    age BIGINT NOT NULL CHECK (age BETWEEN 12 AND 18),
    access_becomes TEXT NOT NULL CHECK (access_becomes IN ('not_private', 'review', 'end')),
    PRIMARY KEY (organisation_id, age)
);
INSERT INTO carer_age_bands (organisation_id, age, access_becomes)
    SELECT id, carer_review_age, carer_review_action FROM organisations
    WHERE carer_review_action = 'end' OR carer_review_age < 18;
INSERT INTO carer_age_bands (organisation_id, age, access_becomes)
    SELECT id, 18, 'end' FROM organisations WHERE carer_review_action = 'review';

ALTER TABLE organisations ADD COLUMN carer_invite_age BIGINT NOT NULL DEFAULT 16
    CHECK (carer_invite_age BETWEEN 12 AND 18);
UPDATE organisations SET carer_invite_age = carer_review_age;

-- A parent/guardian link's place among its organisation's bands: the oldest
-- band applied to it (none yet: NULL) and the next to apply, which comes at
-- `review_at` (the day the child reaches that age, or a professional's later
-- date: `extended_until`, with their reason).
ALTER TABLE carer_links ADD COLUMN band_age BIGINT;
ALTER TABLE carer_links ADD COLUMN next_band_age BIGINT;
ALTER TABLE carer_links ADD COLUMN extended_until TEXT;
ALTER TABLE carer_links ADD COLUMN extension_reason TEXT;
ALTER TABLE carer_links ADD COLUMN extended_by TEXT REFERENCES accounts(id);

-- Open links take their first band; a link already marked for review has had
-- that band, and waits for the end at 18 (the job moves its `review_at`).
UPDATE carer_links SET next_band_age =
    (SELECT MIN(b.age) FROM carer_age_bands b WHERE b.organisation_id = carer_links.organisation_id)
    WHERE kind = 'parent_guardian' AND ended_at IS NULL AND review_due_since IS NULL;
UPDATE carer_links SET next_band_age = 18,
    band_age = (SELECT o.carer_review_age FROM organisations o WHERE o.id = carer_links.organisation_id)
    WHERE kind = 'parent_guardian' AND ended_at IS NULL AND review_due_since IS NOT NULL;

-- The parent's warning, three months before a band: one row per link and
-- band, written with the email in one transaction, so it goes once.
CREATE TABLE carer_band_warnings (
    link_id TEXT NOT NULL REFERENCES carer_links(id),
    band_age BIGINT NOT NULL,
    change_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (link_id, band_age)
);

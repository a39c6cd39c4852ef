-- A young person whose record has neither an email address nor a mobile
-- number is not invited by the coming-of-age job: a letter's code is shown
-- once, when the letter is printed, and no one would print this one. The
-- outcome says so ('no_contact'), and their team invites them as it does
-- anyone else (a letter, or at the desk). SQLite cannot change a CHECK in
-- place: the table (one row per record, nothing refers to it) is rebuilt.
CREATE TABLE coming_of_age_new (
    record_id TEXT PRIMARY KEY REFERENCES records(id),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('invited', 'already_registered', 'excluded', 'no_team', 'no_contact')),
    invitation_id TEXT REFERENCES invitations(id),
    at TEXT NOT NULL,
    CHECK ((outcome = 'invited') = (invitation_id IS NOT NULL))
);
INSERT INTO coming_of_age_new (record_id, outcome, invitation_id, at)
    SELECT record_id, outcome, invitation_id, at FROM coming_of_age;
DROP TABLE coming_of_age;
ALTER TABLE coming_of_age_new RENAME TO coming_of_age;

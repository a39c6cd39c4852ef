-- A new invitation a patient asked for in place of an expired one names the
-- invitation it renews: the per-record limit counts these, and staff see
-- which invitations the patient asked for.
ALTER TABLE invitations ADD COLUMN renewal_of TEXT REFERENCES invitations(id);
CREATE INDEX invitations_renewals ON invitations(record_id, issued_at) WHERE renewal_of IS NOT NULL;

-- The account that registered for a record: its owner, who sees it as "my record".
ALTER TABLE records ADD COLUMN owner_account_id TEXT REFERENCES accounts(id);
CREATE UNIQUE INDEX records_owner ON records(owner_account_id);

-- Face-to-face registration, text messages and professionals as patients.

-- One outbox for everything that leaves: email (SMTP) and text messages
-- (GOV.UK Notify). Text messages carry the personalisation of their Notify
-- template; Notify's own id for a message is kept to look it up again.
ALTER TABLE email_outbox RENAME TO outbox;
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
ALTER TABLE outbox ADD COLUMN personalisation TEXT;
ALTER TABLE outbox ADD COLUMN provider_id TEXT;

-- A staff session is suspended while its device is handed to a patient to
-- register; only the professional's password resumes it.
ALTER TABLE sessions ADD COLUMN suspended_at TEXT;
ALTER TABLE sessions ADD COLUMN handover_invitation_id TEXT;

-- An invitation sent to a professional who has a record of their own: only
-- that account can claim it.
ALTER TABLE invitations ADD COLUMN for_account_id TEXT REFERENCES accounts(id);

-- What the staff directory says of a professional, to find their own record.
ALTER TABLE professionals ADD COLUMN date_of_birth TEXT;
CREATE INDEX professionals_nhs_number ON professionals(nhs_number);
CREATE INDEX records_email ON records(email);

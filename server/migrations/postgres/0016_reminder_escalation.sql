-- Reminder escalation: a campaign's plan of steps after its first send (for
-- example a letter, then a text after 14 days, then an email after 28), the
-- campaigns that run each step, a per-record history of what each step sent
-- or why it did not, and the record's opt-out of reminders.

-- The steps of a campaign's plan, after its first send (step 0, the campaign
-- itself). `after_days` counts from the campaign's start and increases.
CREATE TABLE campaign_plan_steps (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    step BIGINT NOT NULL CHECK (step BETWEEN 1 AND 5),
    channel TEXT NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
    after_days BIGINT NOT NULL CHECK (after_days BETWEEN 1 AND 365),
    PRIMARY KEY (campaign_id, step)
);

-- A campaign with a plan: the most messages one patient gets across it.
ALTER TABLE campaigns ADD COLUMN max_messages BIGINT;
-- A step's campaign: the plan's campaign and the step it runs. One campaign
-- per plan and step, however many instances find the step due.
ALTER TABLE campaigns ADD COLUMN plan_of TEXT REFERENCES campaigns(id);
ALTER TABLE campaigns ADD COLUMN plan_step BIGINT;
ALTER TABLE campaigns ADD COLUMN skipped_opted_out BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN skipped_cap BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX campaigns_plan_step ON campaigns(plan_of, plan_step) WHERE plan_of IS NOT NULL;

-- What each step of a plan did for each record of its cohort, written in the
-- transaction of the chunk that did it: once per plan, step and record.
CREATE TABLE reminder_history (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    step BIGINT NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    channel TEXT NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'registered', 'excluded', 'opted_out', 'cap', 'no_contact')),
    invitation_id TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, step, record_id)
);
CREATE INDEX reminder_history_record ON reminder_history(record_id, at);

-- A record whose patient asked for no more reminders (by phone, at the desk,
-- by letter): staff set and lift it. First invitations still go.
CREATE TABLE reminder_opt_outs (
    record_id TEXT PRIMARY KEY REFERENCES records(id),
    set_by TEXT NOT NULL REFERENCES accounts(id),
    set_at TEXT NOT NULL
);

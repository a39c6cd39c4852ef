-- A plan's step counts, for each record of a chunk, the messages its plan
-- has sent it: by plan and record. The primary key (plan, step, record)
-- serves that only by its first column, which read every row of a large
-- plan for each record (measured on PostgreSQL: a step over 100,000
-- records ran at about a hundred records a second).
CREATE INDEX reminder_history_plan_record ON reminder_history(campaign_id, record_id);

-- Why attempts on an invitation's code were refused, counted per invitation
-- for the uptake report's drop-off funnel. One row per invitation that has
-- had a refused attempt (none for the rest, so the table stays small), each
-- column the number of attempts given that answer; a row at all means the
-- code was entered. Written in the transaction of the attempt itself.
--
-- A code that does not exist has no invitation and is never counted here; a
-- refused attempt on one that does is found by its keyed hash, in the same
-- statement either way (server/src/registration/refusals.rs).
CREATE TABLE invitation_refusals (
    invitation_id TEXT PRIMARY KEY REFERENCES invitations(id),
    -- Told the code and date of birth do not match.
    mismatch BIGINT NOT NULL DEFAULT 0,
    -- Told the code is locked (including the wrong try that locked it).
    locked BIGINT NOT NULL DEFAULT 0,
    -- Matched, but the invitation had expired.
    expired BIGINT NOT NULL DEFAULT 0,
    -- Matched, but the invitation had been used.
    used BIGINT NOT NULL DEFAULT 0,
    -- Matched, but revoked or replaced, or the record is excluded.
    no_longer_valid BIGINT NOT NULL DEFAULT 0,
    -- Matched, but the record has an account made with another invitation.
    already_registered BIGINT NOT NULL DEFAULT 0
);

-- A young person whose record has neither an email address nor a mobile
-- number is not invited by the coming-of-age job: a letter's code is shown
-- once, when the letter is printed, and no one would print this one. The
-- outcome says so ('no_contact'), and their team invites them as it does
-- anyone else (a letter, or at the desk).
ALTER TABLE coming_of_age DROP CONSTRAINT coming_of_age_outcome_check;
ALTER TABLE coming_of_age ADD CONSTRAINT coming_of_age_outcome_check
    CHECK (outcome IN ('invited', 'already_registered', 'excluded', 'no_team', 'no_contact'));

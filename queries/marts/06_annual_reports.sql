-- Each annual report's filing status on a date: on time, late (days), overdue (days) or not yet due.
-- grain: one row per organisation and report year
-- params: as_of (macro argument, date)
create or replace macro annual_report_status(as_of) as table
select
    r.*,
    case
        when r.submitted_on is not null and r.submitted_on <= as_of and r.submitted_on <= r.due_on then 'on_time'
        when r.submitted_on is not null and r.submitted_on <= as_of then 'late'
        when r.due_on < as_of then 'overdue'
        else 'not_due'
    end as filing_status,
    case
        when r.submitted_on is not null and r.submitted_on <= as_of and r.submitted_on > r.due_on
            then date_diff('day', r.due_on, r.submitted_on)
        when (r.submitted_on is null or r.submitted_on > as_of) and r.due_on < as_of
            then date_diff('day', r.due_on, as_of)
    end as days_late,
    r.submitted_on is not null and r.submitted_on <= as_of as is_submitted
from annual_reports r;

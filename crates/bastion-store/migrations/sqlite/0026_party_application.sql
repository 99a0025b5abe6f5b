-- An application to join the party submitted by the applicant on their own page (入党申请书): its
-- text and the account that sent it. NULL for an application a branch recorded on paper.
ALTER TABLE party_candidates ADD COLUMN application TEXT;
ALTER TABLE party_candidates ADD COLUMN applied_by TEXT;

-- The compliance view reads each kind of meeting within its current period (this month, quarter,
-- year) across every branch: by kind and date, covering the branch.
CREATE INDEX party_meetings_kind_day ON party_meetings(kind, on_date, org_id);

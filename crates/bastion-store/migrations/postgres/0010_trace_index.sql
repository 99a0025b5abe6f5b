-- Trace lists a person's passes newest first. With the blind index alone, PostgreSQL's planner may
-- walk the whole `at` index backwards and filter on the blind index (at 10 million rows a trace took
-- longer than 10 s); with the time in the same index the match and the order come from one range.
DROP INDEX screenings_doc_bidx;
DROP INDEX screenings_phone_bidx;
CREATE INDEX screenings_doc_bidx_at ON screenings(doc_bidx, at);
CREATE INDEX screenings_phone_bidx_at ON screenings(phone_bidx, at);

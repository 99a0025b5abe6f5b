-- How many people each unit has per category, political status, duty status and enabled flag, kept
-- by triggers with every insert, change and removal of a person (whatever writes it: the forms, an
-- import, the party pipeline), so head counts on the dashboard and the report read a few rows per
-- unit instead of counting the people table on every request. Rows that fall to 0 stay.
CREATE TABLE people_unit_counts (
    unit_id BIGINT NOT NULL,
    category TEXT NOT NULL,
    political_status TEXT NOT NULL,
    duty_status TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (unit_id, category, political_status, duty_status, enabled)
);
INSERT INTO people_unit_counts (unit_id, category, political_status, duty_status, enabled, n)
    SELECT unit_id, category, political_status, duty_status, enabled, COUNT(*) FROM people
    GROUP BY unit_id, category, political_status, duty_status, enabled;

CREATE FUNCTION people_unit_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE people_unit_counts SET n = n - 1
            WHERE unit_id = OLD.unit_id AND category = OLD.category AND political_status = OLD.political_status
              AND duty_status = OLD.duty_status AND enabled = OLD.enabled;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO people_unit_counts (unit_id, category, political_status, duty_status, enabled, n)
            VALUES (NEW.unit_id, NEW.category, NEW.political_status, NEW.duty_status, NEW.enabled, 1)
            ON CONFLICT (unit_id, category, political_status, duty_status, enabled)
            DO UPDATE SET n = people_unit_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER people_unit_counts_insert_delete AFTER INSERT OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION people_unit_counts_keep();
CREATE TRIGGER people_unit_counts_update AFTER UPDATE OF unit_id, category, political_status, duty_status, enabled ON people
    FOR EACH ROW
    WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.category IS DISTINCT FROM NEW.category
       OR OLD.political_status IS DISTINCT FROM NEW.political_status OR OLD.duty_status IS DISTINCT FROM NEW.duty_status
       OR OLD.enabled IS DISTINCT FROM NEW.enabled)
    EXECUTE FUNCTION people_unit_counts_keep();

-- The heads of units (a station's 所长, the bureau's 局长) are looked up by position for the recall
-- board's missing list: an index instead of reading every person.
CREATE INDEX people_position ON people(position);

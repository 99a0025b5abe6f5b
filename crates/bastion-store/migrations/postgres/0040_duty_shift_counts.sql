-- How many people each post has on each shift of each day, and how many of them are signed in and
-- not yet out, kept by triggers with every assignment made, moved, signed in or out, or removed
-- (whatever writes it: the forms, a published roster, a swap, the sign-in code), so the dashboard
-- reads one row per post and shift instead of every assignment with its person. Rows that fall to
-- 0 stay.
CREATE TABLE duty_shift_counts (
    post_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    shift TEXT NOT NULL,
    rostered BIGINT NOT NULL,
    present BIGINT NOT NULL,
    PRIMARY KEY (day, post_id, shift)
);
INSERT INTO duty_shift_counts (post_id, day, shift, rostered, present)
    SELECT post_id, day, shift, COUNT(*),
           SUM(CASE WHEN signed_in_at IS NOT NULL AND signed_out_at IS NULL THEN 1 ELSE 0 END)
    FROM duty_assignments GROUP BY post_id, day, shift;

CREATE FUNCTION duty_shift_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE duty_shift_counts SET rostered = rostered - 1,
            present = present - CASE WHEN OLD.signed_in_at IS NOT NULL AND OLD.signed_out_at IS NULL THEN 1 ELSE 0 END
            WHERE day = OLD.day AND post_id = OLD.post_id AND shift = OLD.shift;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO duty_shift_counts (post_id, day, shift, rostered, present)
            VALUES (NEW.post_id, NEW.day, NEW.shift, 1,
                    CASE WHEN NEW.signed_in_at IS NOT NULL AND NEW.signed_out_at IS NULL THEN 1 ELSE 0 END)
            ON CONFLICT (day, post_id, shift) DO UPDATE SET rostered = duty_shift_counts.rostered + 1,
                present = duty_shift_counts.present + excluded.present;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER duty_shift_counts_insert_delete AFTER INSERT OR DELETE ON duty_assignments
    FOR EACH ROW EXECUTE FUNCTION duty_shift_counts_keep();
CREATE TRIGGER duty_shift_counts_update AFTER UPDATE OF post_id, day, shift, signed_in_at, signed_out_at ON duty_assignments
    FOR EACH ROW
    WHEN (OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.day IS DISTINCT FROM NEW.day
       OR OLD.shift IS DISTINCT FROM NEW.shift OR OLD.signed_in_at IS DISTINCT FROM NEW.signed_in_at
       OR OLD.signed_out_at IS DISTINCT FROM NEW.signed_out_at)
    EXECUTE FUNCTION duty_shift_counts_keep();

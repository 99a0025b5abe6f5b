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

CREATE TRIGGER duty_shift_counts_insert AFTER INSERT ON duty_assignments BEGIN
    INSERT INTO duty_shift_counts (post_id, day, shift, rostered, present)
        VALUES (NEW.post_id, NEW.day, NEW.shift, 1,
                CASE WHEN NEW.signed_in_at IS NOT NULL AND NEW.signed_out_at IS NULL THEN 1 ELSE 0 END)
        ON CONFLICT (day, post_id, shift) DO UPDATE SET rostered = rostered + 1, present = present + excluded.present;
END;

CREATE TRIGGER duty_shift_counts_delete AFTER DELETE ON duty_assignments BEGIN
    UPDATE duty_shift_counts SET rostered = rostered - 1,
        present = present - CASE WHEN OLD.signed_in_at IS NOT NULL AND OLD.signed_out_at IS NULL THEN 1 ELSE 0 END
        WHERE day = OLD.day AND post_id = OLD.post_id AND shift = OLD.shift;
END;

CREATE TRIGGER duty_shift_counts_update AFTER UPDATE OF post_id, day, shift, signed_in_at, signed_out_at ON duty_assignments
    WHEN OLD.post_id IS NOT NEW.post_id OR OLD.day IS NOT NEW.day OR OLD.shift IS NOT NEW.shift
      OR OLD.signed_in_at IS NOT NEW.signed_in_at OR OLD.signed_out_at IS NOT NEW.signed_out_at
BEGIN
    UPDATE duty_shift_counts SET rostered = rostered - 1,
        present = present - CASE WHEN OLD.signed_in_at IS NOT NULL AND OLD.signed_out_at IS NULL THEN 1 ELSE 0 END
        WHERE day = OLD.day AND post_id = OLD.post_id AND shift = OLD.shift;
    INSERT INTO duty_shift_counts (post_id, day, shift, rostered, present)
        VALUES (NEW.post_id, NEW.day, NEW.shift, 1,
                CASE WHEN NEW.signed_in_at IS NOT NULL AND NEW.signed_out_at IS NULL THEN 1 ELSE 0 END)
        ON CONFLICT (day, post_id, shift) DO UPDATE SET rostered = rostered + 1, present = present + excluded.present;
END;

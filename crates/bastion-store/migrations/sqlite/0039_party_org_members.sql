-- How many members each organisation has — by home branch, and seconded to it (what a temporary
-- branch counts) — kept by triggers with every member added, moved or removed (whatever writes
-- them: the roll, the pipeline, a transfer, a secondment), so the organisation list, the dashboard
-- and the report read one row per organisation instead of counting the members on every request.
-- Rows that fall to 0 stay.
CREATE TABLE party_org_members (
    org_id BIGINT PRIMARY KEY,
    members BIGINT NOT NULL,
    seconded BIGINT NOT NULL
);
INSERT INTO party_org_members (org_id, members, seconded)
    SELECT o.id, (SELECT COUNT(*) FROM party_members m WHERE m.branch_id = o.id),
           (SELECT COUNT(*) FROM party_secondments x WHERE x.org_id = o.id)
    FROM party_orgs o;

CREATE TRIGGER party_org_members_insert AFTER INSERT ON party_members BEGIN
    INSERT INTO party_org_members (org_id, members, seconded) VALUES (NEW.branch_id, 1, 0)
        ON CONFLICT (org_id) DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER party_org_members_delete AFTER DELETE ON party_members BEGIN
    UPDATE party_org_members SET members = members - 1 WHERE org_id = OLD.branch_id;
END;
CREATE TRIGGER party_org_members_update AFTER UPDATE OF branch_id ON party_members
    WHEN OLD.branch_id IS NOT NEW.branch_id
BEGIN
    UPDATE party_org_members SET members = members - 1 WHERE org_id = OLD.branch_id;
    INSERT INTO party_org_members (org_id, members, seconded) VALUES (NEW.branch_id, 1, 0)
        ON CONFLICT (org_id) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER party_org_seconded_insert AFTER INSERT ON party_secondments BEGIN
    INSERT INTO party_org_members (org_id, members, seconded) VALUES (NEW.org_id, 0, 1)
        ON CONFLICT (org_id) DO UPDATE SET seconded = seconded + 1;
END;
CREATE TRIGGER party_org_seconded_delete AFTER DELETE ON party_secondments BEGIN
    UPDATE party_org_members SET seconded = seconded - 1 WHERE org_id = OLD.org_id;
END;
CREATE TRIGGER party_org_seconded_update AFTER UPDATE OF org_id ON party_secondments
    WHEN OLD.org_id IS NOT NEW.org_id
BEGIN
    UPDATE party_org_members SET seconded = seconded - 1 WHERE org_id = OLD.org_id;
    INSERT INTO party_org_members (org_id, members, seconded) VALUES (NEW.org_id, 0, 1)
        ON CONFLICT (org_id) DO UPDATE SET seconded = seconded + 1;
END;

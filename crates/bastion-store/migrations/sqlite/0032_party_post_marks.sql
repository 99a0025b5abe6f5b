-- Posts the party marks: a branch's vanguard post (党员先锋岗), or a member's responsibility area
-- (党员责任区) at a post with what it covers. At most one of each kind per post.
CREATE TABLE party_post_marks (
    post_id BIGINT NOT NULL REFERENCES duty_posts(id),
    kind TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    person_id BIGINT REFERENCES people(id),
    area TEXT NOT NULL DEFAULT '',
    since TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, kind)
);
CREATE INDEX party_post_marks_org ON party_post_marks(org_id);

-- Publicity: articles with their versions, uploaded images, featured people and teams,
-- view counts (total per article and per day), reads on outside channels, honours.
-- Times are UTC epoch ms (BIGINT), dates 'YYYY-MM-DD' text: the same shapes on both backends.
CREATE TABLE publicity_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    data BLOB NOT NULL,
    phone_width BIGINT NOT NULL,
    phone_height BIGINT NOT NULL,
    phone BLOB NOT NULL,
    original_name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX publicity_images_sha ON publicity_images(sha256);

CREATE TABLE publicity_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    column_code TEXT NOT NULL,
    cover_image_id BIGINT REFERENCES publicity_images(id),
    status TEXT NOT NULL,
    publish_at BIGINT NOT NULL,
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at BIGINT,
    review_note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    views BIGINT NOT NULL DEFAULT 0,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX publicity_articles_public ON publicity_articles(status, publish_at);

CREATE TABLE publicity_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES publicity_articles(id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    column_code TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (article_id, version)
);

CREATE TABLE publicity_featured (
    article_id BIGINT NOT NULL REFERENCES publicity_articles(id),
    person_id BIGINT REFERENCES people(id),
    unit_id BIGINT REFERENCES units(id)
);
CREATE INDEX publicity_featured_article ON publicity_featured(article_id);

CREATE TABLE publicity_daily_views (
    article_id BIGINT NOT NULL REFERENCES publicity_articles(id),
    day TEXT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (article_id, day)
);

CREATE TABLE publicity_channel_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES publicity_articles(id),
    channel TEXT NOT NULL,
    reads BIGINT NOT NULL,
    day TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX publicity_channel_reads_article ON publicity_channel_reads(article_id);

CREATE TABLE publicity_honours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    honour TEXT NOT NULL,
    nominating_body TEXT NOT NULL,
    person_id BIGINT REFERENCES people(id),
    unit_id BIGINT REFERENCES units(id),
    nominee TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    article_ids TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    notice_start TEXT,
    notice_end TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

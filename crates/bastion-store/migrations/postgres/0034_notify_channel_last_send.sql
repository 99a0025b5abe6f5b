-- When a channel last let a message go (ms since the epoch), shared by every node: a node takes the
-- channel's next slot with one conditional update, so a chat-bot's rate limit holds across the
-- cluster, not per node.
ALTER TABLE notify_channels ADD COLUMN last_send_at BIGINT NOT NULL DEFAULT 0;

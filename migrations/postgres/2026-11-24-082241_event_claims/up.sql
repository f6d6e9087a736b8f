-- event_claims (postgres)
-- Once-only claims on things every bot process may see (issue #7): with two processes on one
-- database and token, both receive each gateway event; the one that inserts the key first
-- handles it (a command message, a button click, a channel created by staff), the other skips
-- it. Lease claims (creating a ticket's channel) expire, so a crashed holder does not block.
CREATE TABLE event_claims (
    key        TEXT      PRIMARY KEY,
    claimed_by TEXT      NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX event_claims_expires_at ON event_claims (expires_at);

-- undo event_claims (postgres)
DROP TABLE event_claims;

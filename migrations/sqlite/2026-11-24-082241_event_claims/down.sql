-- undo event_claims (sqlite)
DROP TABLE event_claims;

-- Up Migration

-- A session used from a client other than the one that signed in (another
-- browser family or operating system than its user_agent) is recorded as
-- suspicious activity. The client of the last recorded change is kept here so
-- that each change is recorded once, not on every request.
ALTER TABLE auth.sessions
  ADD COLUMN changed_client text CHECK (char_length(changed_client) <= 100);

-- Down Migration

ALTER TABLE auth.sessions DROP COLUMN changed_client;

-- Up Migration

-- Single-use links mailed to a user: verify an address, reset a password,
-- confirm a new address. Only the SHA-256 of the token is stored, so a leaked
-- table opens no account; `email` is the address the link was sent to.
CREATE TABLE auth.account_tokens (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_purpose_idx ON auth.account_tokens (user_id, purpose);
ALTER TABLE auth.account_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.account_tokens FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.account_tokens TO nextsaas_auth;
CREATE POLICY account_tokens_auth ON auth.account_tokens FOR ALL TO nextsaas_auth USING (true) WITH CHECK (true);

ALTER TABLE auth.users ADD COLUMN email_verified_at timestamptz;

-- The idle timeout is measured from here; the sessions page shows it.
ALTER TABLE auth.sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- The sessions page: a signed-in user sees and ends their own sessions only.
GRANT SELECT, DELETE ON auth.sessions TO authenticated;
CREATE POLICY sessions_select_own ON auth.sessions FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
CREATE POLICY sessions_delete_own ON auth.sessions FOR DELETE TO authenticated
  USING (user_id = (SELECT auth.uid()));

-- Down Migration

DROP POLICY sessions_delete_own ON auth.sessions;
DROP POLICY sessions_select_own ON auth.sessions;
REVOKE SELECT, DELETE ON auth.sessions FROM authenticated;
ALTER TABLE auth.sessions DROP COLUMN last_seen_at;
ALTER TABLE auth.users DROP COLUMN email_verified_at;
DROP TABLE auth.account_tokens;

-- Up Migration

-- Personal access tokens for the JSON API. A user names each token and may
-- give it a scope: one organization, a subset of permissions, an expiry. Only
-- the SHA-256 of the token is stored, so a leaked table yields no usable token.
-- The rows belong to a user, not to a tenant: the scope columns are not named
-- organization_id because the table is not partitioned by organization.
CREATE TABLE auth.api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- A token scoped to an organization goes with it: it never widens to all.
  scope_organization_id uuid REFERENCES public.organizations (id) ON DELETE CASCADE,
  -- NULL: whatever the user may do; otherwise at most these permissions.
  scope_permissions text[] CHECK (scope_permissions IS NULL OR cardinality(scope_permissions) BETWEEN 1 AND 64),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX api_tokens_user_created_idx ON auth.api_tokens (user_id, created_at DESC);

ALTER TABLE auth.api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.api_tokens FORCE ROW LEVEL SECURITY;

-- The auth service resolves a presented token by its hash and notes its use.
GRANT SELECT, UPDATE (last_used_at) ON auth.api_tokens TO nextsaas_auth;
CREATE POLICY api_tokens_auth_select ON auth.api_tokens FOR SELECT TO nextsaas_auth USING (true);
CREATE POLICY api_tokens_auth_update ON auth.api_tokens FOR UPDATE TO nextsaas_auth USING (true) WITH CHECK (true);

-- A signed-in user lists, creates and revokes their own tokens; the hash is
-- never readable here, and a token is scoped only to an organization they belong to.
GRANT SELECT (id, user_id, name, scope_organization_id, scope_permissions, expires_at, last_used_at, revoked_at, created_at)
  ON auth.api_tokens TO authenticated;
GRANT INSERT (user_id, token_hash, name, scope_organization_id, scope_permissions, expires_at) ON auth.api_tokens TO authenticated;
GRANT UPDATE (revoked_at) ON auth.api_tokens TO authenticated;
CREATE POLICY api_tokens_select_own ON auth.api_tokens FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
CREATE POLICY api_tokens_insert_own ON auth.api_tokens FOR INSERT TO authenticated
  WITH CHECK (user_id = (SELECT auth.uid())
    AND (scope_organization_id IS NULL OR scope_organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));
CREATE POLICY api_tokens_update_own ON auth.api_tokens FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));

-- Down Migration

DROP TABLE auth.api_tokens;

-- Up Migration

-- Creating a token was limited by a column-level INSERT grant. Citus writes
-- every column to the shard (defaults filled in), so a role holding INSERT on
-- some columns only is refused there ("permission denied for table
-- api_tokens_<shard>"). The grant covers the table; the insert policy now
-- says what the column list did: a new token has never been used and is not
-- revoked. (Its id and created_at, had a caller chosen them, grant nothing.)
REVOKE INSERT ON auth.api_tokens FROM authenticated;
GRANT INSERT ON auth.api_tokens TO authenticated;
ALTER POLICY api_tokens_insert_own ON auth.api_tokens
  WITH CHECK (user_id = (SELECT auth.uid())
    AND last_used_at IS NULL AND revoked_at IS NULL
    AND (scope_organization_id IS NULL OR scope_organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));

-- Down Migration

ALTER POLICY api_tokens_insert_own ON auth.api_tokens
  WITH CHECK (user_id = (SELECT auth.uid())
    AND (scope_organization_id IS NULL OR scope_organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));
REVOKE INSERT ON auth.api_tokens FROM authenticated;
GRANT INSERT (user_id, token_hash, name, scope_organization_id, scope_permissions, expires_at) ON auth.api_tokens TO authenticated;

-- Up Migration

-- The shared rate-limit store when REDIS_URL is unset: the table that
-- rate-limiter-flexible's RateLimiterPostgres expects (its own columns,
-- created here so the app never runs DDL; it is told `tableCreated: true`).
-- UNLOGGED: a counter is not worth a WAL write per request; after a crash
-- the counters start again from zero.
CREATE SCHEMA rate_limit;
CREATE UNLOGGED TABLE rate_limit.counters (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
-- The limiter's periodic `DELETE … WHERE expire < $1`.
CREATE INDEX counters_expire_idx ON rate_limit.counters (expire);

-- The limiter's own connections act as this role and can touch nothing else.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nextsaas_limiter') THEN
    CREATE ROLE nextsaas_limiter NOLOGIN NOINHERIT;
  END IF;
END
$$;
GRANT nextsaas_limiter TO nextsaas_app;
GRANT USAGE ON SCHEMA rate_limit TO nextsaas_limiter;
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit.counters TO nextsaas_limiter;

-- Per-organization limits live in organizations.settings -> 'rateLimits'.
-- They belong to settings:manage, which the organizations UPDATE policy
-- (organization:manage) does not express; this sets that one key and nothing else.
CREATE FUNCTION public.set_organization_rate_limits(p_organization_id uuid, p_limits jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  previous jsonb;
BEGIN
  IF NOT auth.has_permission(p_organization_id, 'settings:manage') THEN
    RAISE EXCEPTION 'settings:manage is required' USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(p_limits) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'rate limits must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT settings -> 'rateLimits' INTO previous FROM public.organizations WHERE id = p_organization_id FOR UPDATE;
  UPDATE public.organizations SET settings = jsonb_set(settings, '{rateLimits}', p_limits)
  WHERE id = p_organization_id;
  RETURN coalesce(previous, '{}');
END
$$;
REVOKE EXECUTE ON FUNCTION public.set_organization_rate_limits(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.set_organization_rate_limits(uuid, jsonb) TO authenticated;

-- Down Migration

DROP FUNCTION public.set_organization_rate_limits(uuid, jsonb);
-- The role is cluster-wide and stays (as the foundation's roles do).
DROP SCHEMA rate_limit CASCADE;

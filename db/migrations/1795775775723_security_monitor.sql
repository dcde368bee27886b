-- Up Migration

-- What the security monitor records. A flood cannot fill the disk: findings
-- are aggregated into one row per client IP × rule × minute (× organization),
-- whose `count` grows, between `created_at` (first) and `last_seen_at`.
ALTER TABLE public.security_events
  -- Rows written before the monitor (or by hand) keep a rule id that says so.
  ADD COLUMN rule_id text NOT NULL DEFAULT 'unspecified' CHECK (char_length(rule_id) BETWEEN 1 AND 64),
  ADD COLUMN location text CHECK (location IN ('path', 'query', 'body', 'cookie', 'header', 'request')),
  ADD COLUMN sample text CHECK (char_length(sample) <= 200),
  ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count > 0),
  ADD COLUMN blocked boolean NOT NULL DEFAULT false,
  ADD COLUMN bucket timestamptz NOT NULL DEFAULT date_trunc('minute', now()),
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT security_events_type_check CHECK (type IN (
    'SQL_INJECTION', 'XSS_ATTEMPT', 'PATH_TRAVERSAL', 'COMMAND_INJECTION', 'BRUTE_FORCE', 'SUSPICIOUS_ACTIVITY'));

CREATE UNIQUE INDEX security_events_aggregate_key
  ON public.security_events (ip_address, rule_id, bucket, organization_id) NULLS NOT DISTINCT;
-- The operator view lists all organizations' events, newest first.
CREATE INDEX security_events_created_idx ON public.security_events (created_at DESC);

-- The monitor's one way in. It runs before the app knows who is asking, so it
-- resolves that itself, narrowly: the user of a live session (by the token's
-- SHA-256, as Lucia stores it), and the organization the path names (by slug,
-- or by id under /api/organizations/) only when that user is an active member
-- of it: a stranger's probes of /orgs/acme do not land in acme's log.
-- Findings of one request arrive together; one per rule is kept (a row can be
-- updated once per statement).
CREATE FUNCTION public.record_security_event(
  p_ip inet,
  p_endpoint text,
  p_trace_id text,
  p_session_id text,
  p_organization text,
  p_findings jsonb
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_user uuid;
  v_organization uuid;
BEGIN
  IF jsonb_typeof(p_findings) IS DISTINCT FROM 'array' OR jsonb_array_length(p_findings) > 32 THEN
    RAISE EXCEPTION 'record_security_event takes an array of at most 32 findings' USING ERRCODE = '22023';
  END IF;
  IF p_session_id IS NOT NULL THEN
    SELECT s.user_id INTO v_user FROM auth.sessions s WHERE s.id = p_session_id AND s.expires_at > now();
  END IF;
  IF v_user IS NOT NULL AND p_organization ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    SELECT m.organization_id INTO v_organization FROM public.organization_members m
    WHERE m.organization_id = p_organization::uuid AND m.user_id = v_user AND m.status = 'active';
  ELSIF v_user IS NOT NULL AND p_organization IS NOT NULL THEN
    SELECT m.organization_id INTO v_organization
    FROM public.organizations o
    JOIN public.organization_members m ON m.organization_id = o.id AND m.user_id = v_user AND m.status = 'active'
    WHERE o.slug = p_organization;
  END IF;
  INSERT INTO public.security_events AS e
    (organization_id, user_id, type, severity, rule_id, location, sample, blocked, details, ip_address, endpoint, bucket)
  SELECT DISTINCT ON (f.rule_id)
    v_organization, v_user, f.type, f.severity, f.rule_id, f.location, left(f.sample, 200), coalesce(f.blocked, false),
    jsonb_strip_nulls(jsonb_build_object('field', left(f.field, 100), 'in_name', f.in_name, 'trace_id', left(p_trace_id, 128))),
    p_ip, left(p_endpoint, 200), date_trunc('minute', now())
  FROM jsonb_to_recordset(p_findings)
    AS f(type text, severity text, rule_id text, location text, sample text, blocked boolean, field text, in_name boolean)
  ORDER BY f.rule_id, coalesce(f.blocked, false) DESC
  ON CONFLICT (ip_address, rule_id, bucket, organization_id) DO UPDATE
    SET count = e.count + 1,
        last_seen_at = now(),
        blocked = e.blocked OR excluded.blocked,
        user_id = coalesce(e.user_id, excluded.user_id);
END
$$;
REVOKE EXECUTE ON FUNCTION public.record_security_event(inet, text, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.record_security_event(inet, text, text, text, text, jsonb) TO nextsaas_auth;

-- Down Migration

DROP FUNCTION public.record_security_event(inet, text, text, text, text, jsonb);
DROP INDEX public.security_events_created_idx;
DROP INDEX public.security_events_aggregate_key;
ALTER TABLE public.security_events
  DROP CONSTRAINT security_events_type_check,
  DROP COLUMN last_seen_at,
  DROP COLUMN bucket,
  DROP COLUMN blocked,
  DROP COLUMN count,
  DROP COLUMN sample,
  DROP COLUMN location,
  DROP COLUMN rule_id;

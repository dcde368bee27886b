-- Up Migration

-- The instance operators' view of the security log: every organization's
-- events and the ones outside any organization (sign-in floods, scanners).
-- Who is an operator is configuration (SECURITY_OPERATOR_EMAILS), checked by
-- the app before it calls this; the function itself only reads, newest first,
-- one page at a time, with the total in every row.
CREATE FUNCTION public.operator_security_events(
  p_type text,
  p_severity text,
  p_from date,
  p_to date,
  p_ip inet,
  p_user text,
  p_limit integer,
  p_offset integer
) RETURNS TABLE (
  id uuid,
  organization_name text,
  organization_slug text,
  type text,
  severity text,
  rule_id text,
  location text,
  sample text,
  count integer,
  blocked boolean,
  ip_address text,
  endpoint text,
  user_email text,
  created_at timestamptz,
  last_seen_at timestamptz,
  total bigint
)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT e.id, o.name, o.slug, e.type, e.severity, e.rule_id, e.location, e.sample, e.count, e.blocked,
         host(e.ip_address), e.endpoint, u.email, e.created_at, e.last_seen_at, count(*) OVER ()
  FROM public.security_events e
  LEFT JOIN public.organizations o ON o.id = e.organization_id
  LEFT JOIN auth.users u ON u.id = e.user_id
  WHERE (p_type IS NULL OR e.type = p_type)
    AND (p_severity IS NULL OR e.severity = p_severity)
    AND (p_from IS NULL OR e.created_at >= p_from)
    AND (p_to IS NULL OR e.created_at < p_to + 1)
    AND (p_ip IS NULL OR e.ip_address = p_ip)
    AND (p_user IS NULL OR lower(u.email) = lower(p_user))
  ORDER BY e.last_seen_at DESC, e.id
  LIMIT least(greatest(p_limit, 1), 100) OFFSET greatest(p_offset, 0)
$$;
REVOKE EXECUTE ON FUNCTION public.operator_security_events(text, text, date, date, inet, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.operator_security_events(text, text, date, date, inet, text, integer, integer) TO nextsaas_auth;

-- Down Migration

DROP FUNCTION public.operator_security_events(text, text, date, date, inet, text, integer, integer);

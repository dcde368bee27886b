-- Up Migration

-- The operator's list and status change, in forms Citus can plan as well:
-- the page of organizations first (a reference table), then the active
-- members of those organizations grouped by organization (no correlated
-- subquery from a reference table into a distributed one), and the audit
-- action chosen before the statements rather than inside them.
CREATE OR REPLACE FUNCTION public.operator_organizations(p_query text, p_limit integer, p_offset integer)
RETURNS TABLE (id uuid, name text, slug text, status text, member_count bigint, created_at timestamptz, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  WITH listed AS (
    SELECT o.id, o.name, o.slug, o.status, o.created_at, count(*) OVER () AS total
    FROM public.organizations o
    WHERE p_query IS NULL OR o.name ILIKE '%' || p_query || '%' OR o.slug ILIKE '%' || p_query || '%'
    ORDER BY lower(o.name), o.id
    LIMIT least(greatest(p_limit, 1), 100) OFFSET greatest(p_offset, 0)
  ), members AS (
    SELECT m.organization_id, count(*) AS active
    FROM public.organization_members m
    WHERE m.status = 'active' AND m.organization_id IN (SELECT l.id FROM listed l)
    GROUP BY m.organization_id
  )
  SELECT l.id, l.name, l.slug, l.status, coalesce(c.active, 0), l.created_at, l.total
  FROM listed l LEFT JOIN members c ON c.organization_id = l.id
  ORDER BY lower(l.name), l.id
$$;

CREATE OR REPLACE FUNCTION public.operator_set_organization_status(p_organization uuid, p_status text, p_operator uuid, p_ip inet, p_user_agent text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  audit_action text := CASE WHEN p_status = 'suspended' THEN 'organization.suspended' ELSE 'organization.reactivated' END;
BEGIN
  UPDATE public.organizations SET status = p_status WHERE id = p_organization AND status <> p_status;
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO public.audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result)
  VALUES (p_organization, p_operator, audit_action, 'organization', p_organization::text, jsonb_build_object('by', 'operator'), p_ip, p_user_agent, 'success');
  RETURN true;
END
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION public.operator_organizations(p_query text, p_limit integer, p_offset integer)
RETURNS TABLE (id uuid, name text, slug text, status text, member_count bigint, created_at timestamptz, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT o.id, o.name, o.slug, o.status,
         (SELECT count(*) FROM public.organization_members m WHERE m.organization_id = o.id AND m.status = 'active'),
         o.created_at, count(*) OVER ()
  FROM public.organizations o
  WHERE p_query IS NULL OR o.name ILIKE '%' || p_query || '%' OR o.slug ILIKE '%' || p_query || '%'
  ORDER BY lower(o.name), o.id
  LIMIT least(greatest(p_limit, 1), 100) OFFSET greatest(p_offset, 0)
$$;

CREATE OR REPLACE FUNCTION public.operator_set_organization_status(p_organization uuid, p_status text, p_operator uuid, p_ip inet, p_user_agent text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  UPDATE public.organizations SET status = p_status WHERE id = p_organization AND status <> p_status;
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO public.audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result)
  VALUES (p_organization, p_operator, CASE p_status WHEN 'suspended' THEN 'organization.suspended' ELSE 'organization.reactivated' END,
          'organization', p_organization::text, jsonb_build_object('by', 'operator'), p_ip, p_user_agent, 'success');
  RETURN true;
END
$$;

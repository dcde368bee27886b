-- Up Migration

-- A personal access token's scope, enforced by the database as well as by the
-- app: withTenant() puts it in the claims (token_org, token_permissions), and
-- every permission and membership function intersects with it (a NULL
-- permission asks about the organization only). A request
-- signed with a token limited to workspace:view cannot write a workspace even
-- through a bug that skips the route's permission check.
CREATE FUNCTION auth.token_allows(org_id uuid, permission text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
DECLARE
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
BEGIN
  RETURN (claims ->> 'token_org' IS NULL OR (claims ->> 'token_org')::uuid = org_id)
     AND (permission IS NULL OR claims -> 'token_permissions' IS NULL
          OR auth.permits(ARRAY(SELECT jsonb_array_elements_text(claims -> 'token_permissions')), permission));
END
$$;
REVOKE EXECUTE ON FUNCTION auth.token_allows(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.token_allows(uuid, text) TO authenticated;

-- What the caller may see at all: their active memberships, or the token's one organization.
CREATE OR REPLACE FUNCTION auth.member_organization_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(organization_id), '{}') FROM public.organization_members
          WHERE user_id = auth.uid() AND status = 'active'
            AND auth.token_allows(organization_id, NULL));
END
$$;

CREATE OR REPLACE FUNCTION auth.has_permission(org_id uuid, permission text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT auth.token_allows(org_id, permission) AND EXISTS (
    SELECT 1
    FROM public.organization_members m
    JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
    WHERE m.organization_id = org_id
      AND m.user_id = auth.uid()
      AND m.status = 'active'
      AND auth.permits(r.permissions, permission)
  )
$$;

CREATE OR REPLACE FUNCTION auth.has_permission(org_id uuid, permission text, ws_id uuid, proj_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT auth.token_allows(org_id, permission) AND auth.permits(coalesce(array_agg(p), '{}'), permission)
  FROM (
    SELECT unnest(r.permissions) AS p
    FROM public.organization_members m
    JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
    WHERE m.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active'
    UNION ALL
    SELECT unnest(r.permissions)
    FROM public.role_grants g
    JOIN public.organization_members m ON m.organization_id = g.organization_id AND m.id = g.member_id
    JOIN public.roles r ON r.organization_id = g.organization_id AND r.key = g.role
    WHERE g.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active'
      AND (g.workspace_id = ws_id OR g.project_id = proj_id)
  ) held
$$;

CREATE OR REPLACE FUNCTION auth.permitted_organization_ids(permission text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(m.organization_id), '{}')
          FROM public.organization_members m
          JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
          WHERE m.user_id = auth.uid() AND m.status = 'active' AND auth.permits(r.permissions, permission)
            AND auth.token_allows(m.organization_id, permission));
END
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION auth.permitted_organization_ids(permission text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(m.organization_id), '{}')
          FROM public.organization_members m
          JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
          WHERE m.user_id = auth.uid() AND m.status = 'active' AND auth.permits(r.permissions, permission));
END
$$;

CREATE OR REPLACE FUNCTION auth.has_permission(org_id uuid, permission text, ws_id uuid, proj_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT auth.permits(coalesce(array_agg(p), '{}'), permission)
  FROM (
    SELECT unnest(r.permissions) AS p
    FROM public.organization_members m
    JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
    WHERE m.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active'
    UNION ALL
    SELECT unnest(r.permissions)
    FROM public.role_grants g
    JOIN public.organization_members m ON m.organization_id = g.organization_id AND m.id = g.member_id
    JOIN public.roles r ON r.organization_id = g.organization_id AND r.key = g.role
    WHERE g.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active'
      AND (g.workspace_id = ws_id OR g.project_id = proj_id)
  ) held
$$;

CREATE OR REPLACE FUNCTION auth.has_permission(org_id uuid, permission text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (
    SELECT 1
    FROM public.organization_members m
    JOIN public.roles r ON r.organization_id = m.organization_id AND r.key = m.role
    WHERE m.organization_id = org_id
      AND m.user_id = auth.uid()
      AND m.status = 'active'
      AND auth.permits(r.permissions, permission)
  )
$$;

CREATE OR REPLACE FUNCTION auth.member_organization_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(organization_id), '{}') FROM public.organization_members
          WHERE user_id = auth.uid() AND status = 'active');
END
$$;

DROP FUNCTION auth.token_allows(uuid, text);

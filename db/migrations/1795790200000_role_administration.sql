-- Up Migration

-- Editing a custom role takes every permission it holds before the edit
-- (USING) as well as after it (WITH CHECK): the same rule as deleting one, so
-- nobody strips from a role permissions they could not have given it.
DROP POLICY roles_update ON public.roles;
CREATE POLICY roles_update ON public.roles FOR UPDATE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions))
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions));

-- One permission per capability: invitations always checked member:invite,
-- and organization:invite granted nothing. Roles and token scopes that held it
-- were meant to invite, so they hold member:invite instead.
UPDATE public.roles
SET permissions = array_remove(permissions, 'organization:invite')
                  || CASE WHEN 'member:invite' = ANY (permissions) THEN '{}'::text[] ELSE '{member:invite}'::text[] END
WHERE 'organization:invite' = ANY (permissions);
UPDATE auth.api_tokens
SET scope_permissions = array_remove(scope_permissions, 'organization:invite')
                        || CASE WHEN 'member:invite' = ANY (scope_permissions) THEN '{}'::text[] ELSE '{member:invite}'::text[] END
WHERE 'organization:invite' = ANY (scope_permissions);

-- A suspended organization is read-only for its members. Every permission
-- function asks token_allows() (the credential's scope), so that is where the
-- organization's own state joins in: a permission other than a view one holds
-- nowhere in a suspended organization. A NULL permission (membership alone:
-- reading, writing one's own audit row) is unaffected. Definer, so that the
-- organization's row is read whoever asks.
CREATE OR REPLACE FUNCTION auth.token_allows(org_id uuid, permission text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
BEGIN
  RETURN (claims ->> 'token_org' IS NULL OR (claims ->> 'token_org')::uuid = org_id)
     AND (permission IS NULL OR claims -> 'token_permissions' IS NULL
          OR auth.permits(ARRAY(SELECT jsonb_array_elements_text(claims -> 'token_permissions')), permission))
     AND (permission IS NULL OR pg_catalog.split_part(permission, ':', 2) = 'view'
          OR NOT EXISTS (SELECT 1 FROM public.organizations o WHERE o.id = org_id AND o.status = 'suspended'));
END
$$;

-- Ownership passes only from an owner whose credential holds everything
-- ('*': not a token limited to some permissions) in an organization that is
-- not suspended.
CREATE OR REPLACE FUNCTION public.transfer_ownership(p_organization uuid, p_member uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  target_user uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.organization_members
                 WHERE organization_id = p_organization AND user_id = caller AND role = 'owner' AND status = 'active')
     OR NOT auth.has_permission(p_organization, '*') THEN
    RAISE EXCEPTION 'not_owner';
  END IF;
  SELECT user_id INTO target_user FROM public.organization_members
  WHERE organization_id = p_organization AND id = p_member AND status = 'active';
  IF target_user IS NULL OR target_user = caller THEN
    RAISE EXCEPTION 'invalid_member';
  END IF;
  UPDATE public.organization_members SET role = 'owner' WHERE organization_id = p_organization AND id = p_member;
  UPDATE public.organization_members SET role = 'admin' WHERE organization_id = p_organization AND user_id = caller;
END
$$;

-- The instance operators' list of organizations (SECURITY_OPERATOR_EMAILS,
-- checked by the app before it calls these), searchable by name or slug, and
-- the one way to suspend or reactivate one. The change and its audit row (in
-- the organization's own log, by the operator) are one statement's work.
CREATE FUNCTION public.operator_organizations(p_query text, p_limit integer, p_offset integer)
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

CREATE FUNCTION public.operator_set_organization_status(p_organization uuid, p_status text, p_operator uuid, p_ip inet, p_user_agent text)
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
REVOKE EXECUTE ON FUNCTION public.operator_organizations(text, integer, integer),
                           public.operator_set_organization_status(uuid, text, uuid, inet, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.operator_organizations(text, integer, integer),
                          public.operator_set_organization_status(uuid, text, uuid, inet, text) TO nextsaas_auth;

-- The grant form's target search: workspaces and projects by name, under RLS.
CREATE INDEX workspaces_org_lower_name_idx ON public.workspaces (organization_id, lower(name));
CREATE INDEX projects_org_lower_name_idx ON public.projects (organization_id, lower(name));

-- Down Migration

DROP INDEX public.projects_org_lower_name_idx;
DROP INDEX public.workspaces_org_lower_name_idx;
DROP FUNCTION public.operator_set_organization_status(uuid, text, uuid, inet, text);
DROP FUNCTION public.operator_organizations(text, integer, integer);

CREATE OR REPLACE FUNCTION public.transfer_ownership(p_organization uuid, p_member uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  target_user uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.organization_members
                 WHERE organization_id = p_organization AND user_id = caller AND role = 'owner' AND status = 'active') THEN
    RAISE EXCEPTION 'not_owner';
  END IF;
  SELECT user_id INTO target_user FROM public.organization_members
  WHERE organization_id = p_organization AND id = p_member AND status = 'active';
  IF target_user IS NULL OR target_user = caller THEN
    RAISE EXCEPTION 'invalid_member';
  END IF;
  UPDATE public.organization_members SET role = 'owner' WHERE organization_id = p_organization AND id = p_member;
  UPDATE public.organization_members SET role = 'admin' WHERE organization_id = p_organization AND user_id = caller;
END
$$;

CREATE OR REPLACE FUNCTION auth.token_allows(org_id uuid, permission text) RETURNS boolean
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

-- organization:invite is not restored: the roles that held it hold member:invite.

DROP POLICY roles_update ON public.roles;
CREATE POLICY roles_update ON public.roles FOR UPDATE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'))
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions));

-- Up Migration

-- Roles: nobody deletes a role above their own permissions either (as for
-- creating and editing one).
DROP POLICY roles_delete ON public.roles;
CREATE POLICY roles_delete ON public.roles FOR DELETE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions));

-- A personal access token with a scope (one organization, some permissions)
-- cannot create an organization: the new one would lie outside that scope.
CREATE OR REPLACE FUNCTION public.create_organization(p_name text, p_slug text, p_roles jsonb) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}');
  org uuid;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'create_organization needs an authenticated caller' USING ERRCODE = '42501';
  END IF;
  IF claims ?| ARRAY['token_org', 'token_permissions'] THEN
    RAISE EXCEPTION 'create_organization is not open to a scoped access token' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.organizations (name, slug) VALUES (p_name, p_slug) RETURNING id INTO org;
  INSERT INTO public.roles (organization_id, key, name, description, permissions, is_builtin)
  SELECT org, r.key, r.name, r.description, r.permissions, true
  FROM jsonb_to_recordset(p_roles) AS r(key text, name text, description text, permissions text[]);
  INSERT INTO public.organization_members (organization_id, user_id, role, status, joined_at)
  VALUES (org, caller, 'owner', 'active', now());
  INSERT INTO public.workspaces (organization_id, name, slug, is_default)
  VALUES (org, 'General', 'general', true);
  RETURN org;
END
$$;

-- A user's only change to their own token is revoking it: a revoked token
-- stays revoked.
DROP POLICY api_tokens_update_own ON auth.api_tokens;
CREATE POLICY api_tokens_update_own ON auth.api_tokens FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()) AND revoked_at IS NOT NULL);

-- The events pages (an organization's and the operators') list the most
-- recently seen first. The created_at indexes stay for the date filters.
CREATE INDEX security_events_org_last_seen_idx ON public.security_events (organization_id, last_seen_at DESC, id);
CREATE INDEX security_events_last_seen_idx ON public.security_events (last_seen_at DESC, id);

-- Invitations: the same rule as before (the organization role must permit
-- member:invite), checked once per statement instead of once per row.
DROP POLICY invitations_select ON public.invitations;
CREATE POLICY invitations_select ON public.invitations FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('member:invite'))::uuid[]));

-- Down Migration

DROP POLICY invitations_select ON public.invitations;
CREATE POLICY invitations_select ON public.invitations FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'member:invite'));

DROP INDEX public.security_events_last_seen_idx;
DROP INDEX public.security_events_org_last_seen_idx;

DROP POLICY api_tokens_update_own ON auth.api_tokens;
CREATE POLICY api_tokens_update_own ON auth.api_tokens FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));

CREATE OR REPLACE FUNCTION public.create_organization(p_name text, p_slug text, p_roles jsonb) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  org uuid;
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'create_organization needs an authenticated caller' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.organizations (name, slug) VALUES (p_name, p_slug) RETURNING id INTO org;
  INSERT INTO public.roles (organization_id, key, name, description, permissions, is_builtin)
  SELECT org, r.key, r.name, r.description, r.permissions, true
  FROM jsonb_to_recordset(p_roles) AS r(key text, name text, description text, permissions text[]);
  INSERT INTO public.organization_members (organization_id, user_id, role, status, joined_at)
  VALUES (org, caller, 'owner', 'active', now());
  INSERT INTO public.workspaces (organization_id, name, slug, is_default)
  VALUES (org, 'General', 'general', true);
  RETURN org;
END
$$;

DROP POLICY roles_delete ON public.roles;
CREATE POLICY roles_delete ON public.roles FOR DELETE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));

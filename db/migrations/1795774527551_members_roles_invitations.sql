-- Up Migration

-- Scoped grants: a member holds a role on one workspace or on one project, on
-- top of their organization role. Effective permissions at a resource are the
-- union of the organization role and the grants on it and its ancestors.
CREATE TABLE public.role_grants (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL,
  role text NOT NULL,
  workspace_id uuid,
  project_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES public.organization_members (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, role) REFERENCES public.roles (organization_id, key) ON UPDATE CASCADE,
  FOREIGN KEY (organization_id, workspace_id) REFERENCES public.workspaces (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, project_id) REFERENCES public.projects (organization_id, id) ON DELETE CASCADE,
  CHECK ((workspace_id IS NULL) <> (project_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_one_per_resource ON public.role_grants
  (organization_id, member_id, coalesce(workspace_id, project_id));
CREATE INDEX role_grants_workspace_idx ON public.role_grants (organization_id, workspace_id) WHERE workspace_id IS NOT NULL;
CREATE INDEX role_grants_project_idx ON public.role_grants (organization_id, project_id) WHERE project_id IS NOT NULL;

CREATE TABLE public.invitations (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  role text NOT NULL,
  -- SHA-256 of the single-use token in the mailed link; the token itself is never stored.
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, token_hash),
  FOREIGN KEY (organization_id, role) REFERENCES public.roles (organization_id, key) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX invitations_token_hash_idx ON public.invitations (token_hash);
-- One pending invitation per email per organization.
CREATE UNIQUE INDEX invitations_one_pending ON public.invitations (organization_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE TRIGGER invitations_touch BEFORE UPDATE ON public.invitations
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- ---------------------------------------------------------------- permissions

-- The caller's permissions at a resource: organization role plus the grants on
-- the workspace and/or project given (the project's workspace is its ancestor).
CREATE FUNCTION auth.has_permission(org_id uuid, permission text, ws_id uuid, proj_id uuid) RETURNS boolean
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

-- No escalation: a member can hand out only permissions they hold organization-wide.
CREATE FUNCTION auth.holds_all(org_id uuid, permissions text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT NOT EXISTS (SELECT 1 FROM unnest(permissions) p WHERE NOT auth.has_permission(org_id, p))
$$;

CREATE FUNCTION auth.holds_role(org_id uuid, role_key text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce((SELECT auth.holds_all(org_id, r.permissions) FROM public.roles r
                   WHERE r.organization_id = org_id AND r.key = role_key), false)
$$;

REVOKE EXECUTE ON FUNCTION auth.has_permission(uuid, text, uuid, uuid), auth.holds_all(uuid, text[]), auth.holds_role(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.has_permission(uuid, text, uuid, uuid), auth.holds_all(uuid, text[]), auth.holds_role(uuid, text) TO authenticated;

-- Workspace and project writes honour scoped grants.
DROP POLICY workspaces_update ON public.workspaces;
DROP POLICY workspaces_delete ON public.workspaces;
CREATE POLICY workspaces_update ON public.workspaces FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:update', id, NULL))
  WITH CHECK (auth.has_permission(organization_id, 'workspace:update', id, NULL));
CREATE POLICY workspaces_delete ON public.workspaces FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:delete', id, NULL));

DROP POLICY projects_insert ON public.projects;
DROP POLICY projects_update ON public.projects;
DROP POLICY projects_delete ON public.projects;
CREATE POLICY projects_insert ON public.projects FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'project:create', workspace_id, NULL));
CREATE POLICY projects_update ON public.projects FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'project:update', workspace_id, id))
  WITH CHECK (auth.has_permission(organization_id, 'project:update', workspace_id, id));
CREATE POLICY projects_delete ON public.projects FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'project:delete', workspace_id, id));

-- Roles: nobody creates or edits a role above their own permissions.
DROP POLICY roles_insert ON public.roles;
DROP POLICY roles_update ON public.roles;
CREATE POLICY roles_insert ON public.roles FOR INSERT TO authenticated
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions));
CREATE POLICY roles_update ON public.roles FOR UPDATE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'))
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage') AND auth.holds_all(organization_id, permissions));

-- Members: nobody changes their own membership or grants a role above their own.
DROP POLICY organization_members_insert ON public.organization_members;
DROP POLICY organization_members_update ON public.organization_members;
DROP POLICY organization_members_delete ON public.organization_members;
CREATE POLICY organization_members_insert ON public.organization_members FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'member:invite') AND auth.holds_role(organization_id, role));
CREATE POLICY organization_members_update ON public.organization_members FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'member:update') AND user_id <> (SELECT auth.uid()) AND auth.holds_role(organization_id, role))
  WITH CHECK (auth.has_permission(organization_id, 'member:update') AND user_id <> (SELECT auth.uid()) AND auth.holds_role(organization_id, role));
CREATE POLICY organization_members_delete ON public.organization_members FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'member:remove') AND user_id <> (SELECT auth.uid()) AND auth.holds_role(organization_id, role));

ALTER TABLE public.role_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.role_grants FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.role_grants TO authenticated;
CREATE POLICY role_grants_select ON public.role_grants FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY role_grants_insert ON public.role_grants FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'member:update') AND auth.holds_role(organization_id, role)
    AND NOT EXISTS (SELECT 1 FROM public.organization_members m
                    WHERE m.organization_id = role_grants.organization_id AND m.id = role_grants.member_id
                      AND m.user_id = (SELECT auth.uid())));
CREATE POLICY role_grants_update ON public.role_grants FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'member:update') AND auth.holds_role(organization_id, role))
  WITH CHECK (auth.has_permission(organization_id, 'member:update') AND auth.holds_role(organization_id, role));
CREATE POLICY role_grants_delete ON public.role_grants FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'member:update') AND auth.holds_role(organization_id, role));

ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invitations FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE ON public.invitations TO authenticated;
CREATE POLICY invitations_select ON public.invitations FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'member:invite'));
CREATE POLICY invitations_insert ON public.invitations FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'member:invite') AND auth.holds_role(organization_id, role)
    AND invited_by = (SELECT auth.uid()));
CREATE POLICY invitations_update ON public.invitations FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'member:invite') AND auth.holds_role(organization_id, role))
  WITH CHECK (auth.has_permission(organization_id, 'member:invite') AND auth.holds_role(organization_id, role));

-- Members see every member of their organizations, suspended ones included.
DROP POLICY users_select ON auth.users;
CREATE POLICY users_select ON auth.users FOR SELECT TO authenticated
  USING (id = (SELECT auth.uid()) OR EXISTS (
    SELECT 1 FROM public.organization_members m
    WHERE m.user_id = users.id
      AND m.organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));

-- ---------------------------------------------------------------- owners

-- An organization always keeps an active owner (its own deletion aside).
CREATE FUNCTION public.ensure_active_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.organizations o WHERE o.id = OLD.organization_id)
     AND NOT EXISTS (SELECT 1 FROM public.organization_members m
                     WHERE m.organization_id = OLD.organization_id AND m.role = 'owner' AND m.status = 'active') THEN
    RAISE EXCEPTION 'last_owner' USING DETAIL = 'An organization needs at least one active owner.';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER organization_members_keep_owner AFTER UPDATE OR DELETE ON public.organization_members
  FOR EACH ROW EXECUTE FUNCTION public.ensure_active_owner();

-- Ownership moves from the calling owner to another active member, who
-- becomes owner while the caller becomes admin.
CREATE FUNCTION public.transfer_ownership(p_organization uuid, p_member uuid) RETURNS void
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
REVOKE EXECUTE ON FUNCTION public.transfer_ownership(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.transfer_ownership(uuid, uuid) TO authenticated;

-- ---------------------------------------------------------------- invitations

-- What a token holder may learn before accepting: who invited them to what.
CREATE FUNCTION public.invitation_preview(p_token_hash text)
RETURNS TABLE (organization_name text, organization_slug text, inviter_name text, role_name text, email text, status text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT o.name, o.slug, u.name, r.name, i.email,
         CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted'
              WHEN i.revoked_at IS NOT NULL THEN 'revoked'
              WHEN i.expires_at <= now() THEN 'expired'
              ELSE 'pending' END
  FROM public.invitations i
  JOIN public.organizations o ON o.id = i.organization_id
  JOIN public.roles r ON r.organization_id = i.organization_id AND r.key = i.role
  LEFT JOIN auth.users u ON u.id = i.invited_by
  WHERE i.token_hash = p_token_hash
$$;

-- Accepting is the only cross-tenant step: the caller joins an organization
-- they cannot see yet. Single use; an unverified account may accept only an
-- invitation addressed to its own email.
CREATE FUNCTION public.accept_invitation(p_token_hash text, p_ip inet, p_user_agent text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  inv public.invitations;
  account auth.users;
  org_slug text;
BEGIN
  IF caller IS NULL THEN RAISE EXCEPTION 'not_authenticated'; END IF;
  SELECT * INTO inv FROM public.invitations WHERE token_hash = p_token_hash FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'invitation_not_found'; END IF;
  IF inv.accepted_at IS NOT NULL THEN RAISE EXCEPTION 'invitation_used'; END IF;
  IF inv.revoked_at IS NOT NULL THEN RAISE EXCEPTION 'invitation_revoked'; END IF;
  IF inv.expires_at <= now() THEN RAISE EXCEPTION 'invitation_expired'; END IF;
  SELECT * INTO account FROM auth.users WHERE id = caller;
  IF lower(account.email) <> lower(inv.email) AND account.email_verified_at IS NULL THEN
    RAISE EXCEPTION 'email_unverified';
  END IF;
  IF EXISTS (SELECT 1 FROM public.organization_members WHERE organization_id = inv.organization_id AND user_id = caller) THEN
    RAISE EXCEPTION 'already_member';
  END IF;
  INSERT INTO public.organization_members (organization_id, user_id, role, status, invited_at, joined_at)
  VALUES (inv.organization_id, caller, inv.role, 'active', inv.created_at, now());
  UPDATE public.invitations SET accepted_at = now(), accepted_by = caller
  WHERE organization_id = inv.organization_id AND id = inv.id;
  INSERT INTO public.audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result)
  VALUES (inv.organization_id, caller, 'invitation.accepted', 'invitation', inv.id::text,
          jsonb_build_object('email', inv.email, 'role', inv.role), p_ip, p_user_agent, 'success');
  SELECT slug INTO org_slug FROM public.organizations WHERE id = inv.organization_id;
  RETURN org_slug;
END
$$;

REVOKE EXECUTE ON FUNCTION public.invitation_preview(text), public.accept_invitation(text, inet, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.invitation_preview(text) TO authenticated, nextsaas_auth;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text, inet, text) TO authenticated;

-- Down Migration

DROP FUNCTION public.accept_invitation(text, inet, text);
DROP FUNCTION public.invitation_preview(text);
DROP FUNCTION public.transfer_ownership(uuid, uuid);
DROP TRIGGER organization_members_keep_owner ON public.organization_members;
DROP FUNCTION public.ensure_active_owner();

DROP POLICY users_select ON auth.users;
CREATE POLICY users_select ON auth.users FOR SELECT TO authenticated
  USING (id = (SELECT auth.uid()) OR EXISTS (
    SELECT 1 FROM public.organization_members m
    WHERE m.user_id = users.id AND m.status = 'active'
      AND m.organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));

DROP POLICY organization_members_insert ON public.organization_members;
DROP POLICY organization_members_update ON public.organization_members;
DROP POLICY organization_members_delete ON public.organization_members;
CREATE POLICY organization_members_insert ON public.organization_members FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'member:invite'));
CREATE POLICY organization_members_update ON public.organization_members FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'member:update'))
  WITH CHECK (auth.has_permission(organization_id, 'member:update'));
CREATE POLICY organization_members_delete ON public.organization_members FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'member:remove'));

DROP POLICY roles_insert ON public.roles;
DROP POLICY roles_update ON public.roles;
CREATE POLICY roles_insert ON public.roles FOR INSERT TO authenticated
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));
CREATE POLICY roles_update ON public.roles FOR UPDATE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'))
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));

DROP POLICY projects_insert ON public.projects;
DROP POLICY projects_update ON public.projects;
DROP POLICY projects_delete ON public.projects;
CREATE POLICY projects_insert ON public.projects FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'project:create'));
CREATE POLICY projects_update ON public.projects FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'project:update'))
  WITH CHECK (auth.has_permission(organization_id, 'project:update'));
CREATE POLICY projects_delete ON public.projects FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'project:delete'));

DROP POLICY workspaces_update ON public.workspaces;
DROP POLICY workspaces_delete ON public.workspaces;
CREATE POLICY workspaces_update ON public.workspaces FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:update'))
  WITH CHECK (auth.has_permission(organization_id, 'workspace:update'));
CREATE POLICY workspaces_delete ON public.workspaces FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:delete'));

DROP TABLE public.invitations;
DROP TABLE public.role_grants;
DROP FUNCTION auth.holds_role(uuid, text);
DROP FUNCTION auth.holds_all(uuid, text[]);
DROP FUNCTION auth.has_permission(uuid, text, uuid, uuid);

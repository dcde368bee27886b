-- Up Migration

-- Reading workspaces and projects takes the view permission, like the audit
-- log: membership alone is not enough. A member whose role lacks it sees only
-- what their scoped grants open:
--   a workspace grant    that workspace (and, with project:view, its projects);
--   a project grant      that project, and its workspace's row (to name it).
-- Whoever may see projects may see the workspaces that hold them.
-- Mirrors seesWorkspace() and permitsAt() in app/utils/permissions.ts.

-- The workspaces and projects the caller holds a grant on whose role permits
-- `permission` (after the token's scope). Workspace and project ids are both
-- UUIDs, so one array serves both; checked once per statement.
CREATE FUNCTION auth.granted_ids(permission text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(coalesce(g.workspace_id, g.project_id)), '{}')
          FROM public.role_grants g
          JOIN public.organization_members m ON m.organization_id = g.organization_id AND m.id = g.member_id
          JOIN public.roles r ON r.organization_id = g.organization_id AND r.key = g.role
          WHERE m.user_id = auth.uid() AND m.status = 'active' AND auth.permits(r.permissions, permission)
            AND auth.token_allows(g.organization_id, permission));
END
$$;

-- The workspaces a grant shows: granted ones whose role sees workspaces or
-- their projects, and the workspaces of granted projects the caller may see.
CREATE FUNCTION auth.granted_workspace_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  projects uuid[] := auth.granted_ids('project:view');
BEGIN
  RETURN auth.granted_ids('workspace:view') || projects
      || (SELECT coalesce(array_agg(p.workspace_id), '{}') FROM public.projects p WHERE p.id = ANY (projects));
END
$$;

REVOKE EXECUTE ON FUNCTION auth.granted_ids(text), auth.granted_workspace_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.granted_ids(text), auth.granted_workspace_ids() TO authenticated;

DROP POLICY workspaces_select ON public.workspaces;
CREATE POLICY workspaces_select ON public.workspaces FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('workspace:view'))::uuid[])
         OR organization_id = ANY ((SELECT auth.permitted_organization_ids('project:view'))::uuid[])
         OR id = ANY ((SELECT auth.granted_workspace_ids())::uuid[]));

DROP POLICY projects_select ON public.projects;
CREATE POLICY projects_select ON public.projects FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('project:view'))::uuid[])
         OR workspace_id = ANY ((SELECT auth.granted_ids('project:view'))::uuid[])
         OR id = ANY ((SELECT auth.granted_ids('project:view'))::uuid[]));


-- Creating rows one cannot see would fail on the new row's read-back: a role
-- that creates workspaces or projects sees them too (the role editor says so).
UPDATE public.roles SET permissions = permissions || '{workspace:view}'
  WHERE 'workspace:create' = ANY (permissions) AND NOT auth.permits(permissions, 'workspace:view');
UPDATE public.roles SET permissions = permissions || '{project:view}'
  WHERE 'project:create' = ANY (permissions) AND NOT auth.permits(permissions, 'project:view');

-- Down Migration


DROP POLICY projects_select ON public.projects;
CREATE POLICY projects_select ON public.projects FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));

DROP POLICY workspaces_select ON public.workspaces;
CREATE POLICY workspaces_select ON public.workspaces FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));

DROP FUNCTION auth.granted_workspace_ids();
DROP FUNCTION auth.granted_ids(text);

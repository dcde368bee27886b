-- Up Migration

-- The organizations where the caller's role permits `permission`, for read
-- policies that check a permission: called as an init-plan, once per
-- statement. auth.has_permission(organization_id, …) in a USING clause runs
-- its membership lookup once per row — seconds to count a large audit log.
CREATE FUNCTION auth.permitted_organization_ids(permission text) RETURNS uuid[]
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
REVOKE EXECUTE ON FUNCTION auth.permitted_organization_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.permitted_organization_ids(text) TO authenticated;

-- The same rule as before (the organization role must permit audit:view;
-- grants on one workspace or project do not), checked once per statement.
DROP POLICY audit_logs_select ON public.audit_logs;
CREATE POLICY audit_logs_select ON public.audit_logs FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('audit:view'))::uuid[]));

-- The log filtered by one action (=) or a family of them (^@ 'workspace.'),
-- newest first. text_pattern_ops lets the prefix become an index range in any
-- collation.
CREATE INDEX audit_logs_org_action_created_idx ON public.audit_logs (organization_id, action text_pattern_ops, created_at DESC);

-- Down Migration

DROP INDEX public.audit_logs_org_action_created_idx;
DROP POLICY audit_logs_select ON public.audit_logs;
CREATE POLICY audit_logs_select ON public.audit_logs FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'audit:view'));
DROP FUNCTION auth.permitted_organization_ids(text);

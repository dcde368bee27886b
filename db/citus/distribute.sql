-- The distribution step: the migrated schema made a Citus schema, tenant
-- tables sharded by organization. Runs on the coordinator after `migrate up`,
-- as its superuser (db/citus/distribute.ts, `npm run citus:distribute`), and
-- again after any later migration: every step is idempotent.
-- Placement and the reasons for it: docs/decisions/005-citus-distribution.md.

-- Triggers on distributed tables: updated_at touches and the last-owner guard
-- read or write only their own shard (the owner check looks at the same
-- organization's members, which live in the co-located shard).
SET citus.enable_unsafe_triggers = on;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database()); END $$;
-- A request's transaction may read across shards (a page's organization by
-- slug, the switcher) and then write a reference table (a new organization):
-- Citus allows that only over one connection per worker.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET citus.multi_shard_modify_mode = sequential', current_database()); END $$;

-- ------------------------------------------------------ policy helpers
-- Citus refuses policies with subqueries on its tables, and a policy on a
-- shard runs on a worker, one row at a time. Each helper here answers for
-- one organization, so that what it reads is in the co-located shard of the
-- same worker. Same rules as the aggregate functions the single-server
-- policies call once per statement (auth.member_organization_ids,
-- auth.permitted_organization_ids, auth.granted_*).

-- Is the caller an active member of org (within a token's scope)?
CREATE OR REPLACE FUNCTION auth.is_member(org_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT auth.token_allows(org_id, NULL) AND EXISTS (
    SELECT 1 FROM public.organization_members m
    WHERE m.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active')
$$;

-- Does the caller see this workspace: by role (workspace:view or
-- project:view), by a grant on it, or by a project:view grant on one of its
-- projects? (auth.granted_workspace_ids, for one workspace.)
CREATE OR REPLACE FUNCTION auth.sees_workspace(org_id uuid, ws_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT auth.has_permission(org_id, 'workspace:view', ws_id, NULL)
      OR auth.has_permission(org_id, 'project:view', ws_id, NULL)
      OR (auth.token_allows(org_id, 'project:view') AND EXISTS (
            SELECT 1
            FROM public.role_grants g
            JOIN public.organization_members m ON m.organization_id = g.organization_id AND m.id = g.member_id
            JOIN public.roles r ON r.organization_id = g.organization_id AND r.key = g.role
            JOIN public.projects p ON p.organization_id = g.organization_id AND p.id = g.project_id
            WHERE g.organization_id = org_id AND p.workspace_id = ws_id
              AND m.user_id = auth.uid() AND m.status = 'active' AND auth.permits(r.permissions, 'project:view')))
$$;

-- Is this membership the caller's own?
CREATE OR REPLACE FUNCTION auth.is_own_membership(org_id uuid, member_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (SELECT 1 FROM public.organization_members m
                 WHERE m.organization_id = org_id AND m.id = member_id AND m.user_id = auth.uid())
$$;

-- Policies on the tables that are not distributed (the reference tables and
-- the coordinator's own) run where Citus reads them, often on the
-- coordinator. Citus refuses to mix two users' connections on placements
-- that one of them modified in the transaction ("cannot perform query on
-- placements that were modified in this transaction by a different user",
-- SQLSTATE 25001): a definer helper reads as its owner, the caller's own
-- writes went over the caller's connections. So these helpers read as the
-- caller — a router query on the organization's shard, where the shard's
-- policy (or the definer helper in the target list) runs next to the data —
-- and only when a definer function (create_organization, accept_invitation)
-- wrote that shard earlier in the transaction, as its owner, do they read as
-- the owner too.

-- Is the caller an active member of org? (The shard's policy adds the token's scope.)
CREATE OR REPLACE FUNCTION auth.is_member_here(org_id uuid) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM public.organization_members m
                 WHERE m.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active');
EXCEPTION WHEN active_sql_transaction THEN
  RETURN auth.is_member(org_id);
END
$$;

-- auth.has_permission(org, permission), evaluated on the organization's worker.
CREATE OR REPLACE FUNCTION auth.has_permission_here(org_id uuid, permission text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
BEGIN
  RETURN coalesce((SELECT auth.has_permission(m.organization_id, permission) FROM public.organization_members m
                   WHERE m.organization_id = org_id AND m.user_id = auth.uid() AND m.status = 'active'), false);
EXCEPTION WHEN active_sql_transaction THEN
  RETURN auth.has_permission(org_id, permission);
END
$$;

-- Is this user a member (suspended ones included) of one of the caller's
-- organizations? The caller sees the memberships of their own organizations only.
CREATE OR REPLACE FUNCTION auth.shares_organization_here(other uuid) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM public.organization_members them WHERE them.user_id = other);
END
$$;

REVOKE EXECUTE ON FUNCTION auth.is_member_here(uuid), auth.has_permission_here(uuid, text), auth.shares_organization_here(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.is_member_here(uuid), auth.has_permission_here(uuid, text), auth.shares_organization_here(uuid) TO authenticated;

REVOKE EXECUTE ON FUNCTION auth.is_member(uuid), auth.sees_workspace(uuid, uuid), auth.is_own_membership(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.is_member(uuid), auth.sees_workspace(uuid, uuid), auth.is_own_membership(uuid, uuid) TO authenticated;

-- ------------------------------------------------------ SQL functions as PL/pgSQL
-- Citus cannot plan a query inside a SQL-language function that uses the
-- function's parameters ("could not create distributed plan"), and a
-- SECURITY DEFINER SQL function is never inlined. Each such function (the
-- permission checks, the invitation preview, the operator's listings) is
-- redefined with the same body in PL/pgSQL, whose queries Citus plans with
-- the parameters bound. Functions written in PL/pgSQL already, and the
-- inlined SQL ones without definer rights (auth.uid, auth.permits), stay.
DO $convert$
DECLARE
  f record;
  body text;
  def text;
BEGIN
  FOR f IN
    SELECT p.oid, p.proretset, p.prosrc FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
    WHERE n.nspname IN ('auth', 'public') AND l.lanname = 'sql' AND p.prosecdef AND p.pronargs > 0
  LOOP
    body := rtrim(btrim(f.prosrc, E' \n'), E'; \n');
    def := replace(pg_get_functiondef(f.oid), ' LANGUAGE sql', ' LANGUAGE plpgsql');
    def := replace(def, '$function$' || f.prosrc || '$function$',
                   E'$function$\n#variable_conflict use_column\nBEGIN\n'
                   || CASE WHEN f.proretset THEN 'RETURN QUERY ' || body || ';' ELSE 'RETURN (' || body || ');' END
                   || E'\nEND\n$function$');
    EXECUTE def;
  END LOOP;
END
$convert$;

-- A policy's helper reads the co-located shard from inside the query on a
-- shard: a nested distributed execution, which Citus allows only when asked.
-- Every helper filters by the organization of the row it is asked about, so
-- the nested query is a router query on the same worker (no shard move can
-- split a row from its organization's other rows: they move together).
-- The database, not a role: the helpers run with their owner's rights, and
-- Citus opens the nested query's connections as that owner.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET citus.allow_nested_distributed_execution = on', current_database()); END $$;

-- ------------------------------------------------------ policies without subqueries
-- The same rules as the single-server policies, written per row.
ALTER POLICY users_select ON auth.users
  USING (id = auth.uid() OR auth.shares_organization_here(id));
ALTER POLICY users_update ON auth.users
  USING (id = auth.uid()) WITH CHECK (id = auth.uid());
ALTER POLICY sessions_select_own ON auth.sessions USING (user_id = auth.uid());
ALTER POLICY sessions_delete_own ON auth.sessions USING (user_id = auth.uid());
ALTER POLICY api_tokens_select_own ON auth.api_tokens USING (user_id = auth.uid());
ALTER POLICY api_tokens_insert_own ON auth.api_tokens
  WITH CHECK (user_id = auth.uid() AND last_used_at IS NULL AND revoked_at IS NULL
              AND (scope_organization_id IS NULL OR auth.is_member_here(scope_organization_id)));
ALTER POLICY api_tokens_update_own ON auth.api_tokens
  USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid() AND revoked_at IS NOT NULL);

ALTER POLICY organizations_select ON public.organizations USING (auth.is_member_here(id));
ALTER POLICY organizations_update ON public.organizations
  USING (auth.has_permission_here(id, 'organization:manage')) WITH CHECK (auth.has_permission_here(id, 'organization:manage'));
ALTER POLICY organizations_delete ON public.organizations USING (auth.has_permission_here(id, 'organization:delete'));
ALTER POLICY roles_select ON public.roles USING (auth.is_member(organization_id));
ALTER POLICY organization_members_select ON public.organization_members USING (auth.is_member(organization_id));
ALTER POLICY organization_members_update ON public.organization_members
  USING (auth.has_permission(organization_id, 'member:update') AND user_id <> auth.uid() AND auth.holds_role(organization_id, role))
  WITH CHECK (auth.has_permission(organization_id, 'member:update') AND user_id <> auth.uid() AND auth.holds_role(organization_id, role));
ALTER POLICY organization_members_delete ON public.organization_members
  USING (auth.has_permission(organization_id, 'member:remove') AND user_id <> auth.uid() AND auth.holds_role(organization_id, role));
ALTER POLICY role_grants_select ON public.role_grants USING (auth.is_member(organization_id));
ALTER POLICY role_grants_insert ON public.role_grants
  WITH CHECK (auth.has_permission(organization_id, 'member:update') AND auth.holds_role(organization_id, role)
              AND NOT auth.is_own_membership(organization_id, member_id));
ALTER POLICY invitations_select ON public.invitations USING (auth.has_permission(organization_id, 'member:invite'));
ALTER POLICY invitations_insert ON public.invitations
  WITH CHECK (auth.has_permission(organization_id, 'member:invite') AND auth.holds_role(organization_id, role) AND invited_by = auth.uid());
ALTER POLICY workspaces_select ON public.workspaces USING (auth.sees_workspace(organization_id, id));
ALTER POLICY projects_select ON public.projects USING (auth.has_permission(organization_id, 'project:view', workspace_id, id));
ALTER POLICY audit_logs_insert ON public.audit_logs
  WITH CHECK (user_id = auth.uid() AND (organization_id IS NULL OR auth.is_member_here(organization_id)));

-- The logs stay plain tables on the coordinator (distribute.ts keepLogsPlain),
-- where a sub-select is allowed: their read policies keep the single-server
-- form, one look-up of the permitted organizations per statement rather than
-- a worker round trip per row (an export of thousands of rows outlasted the
-- statement timeout). Set here so that a cluster distributed before converges.
ALTER POLICY audit_logs_select ON public.audit_logs
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('audit:view'))::uuid[]));
ALTER POLICY security_events_select ON public.security_events
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('security:view'))::uuid[]));

-- ------------------------------------------------------ live updates
-- The tenant tables' own announcements would fire on the workers
-- (distribute.ts disables them); the audit row each of the app's changes
-- writes on the coordinator announces them instead (realtime.announce_audited).
DROP TRIGGER IF EXISTS audit_logs_announce_changes ON public.audit_logs;
CREATE TRIGGER audit_logs_announce_changes AFTER INSERT ON public.audit_logs
  FOR EACH ROW EXECUTE FUNCTION realtime.announce_audited('nextsaas_changes');

-- Placement (create_reference_table, create_distributed_table) follows in
-- db/citus/distribute.ts: Citus refuses to distribute a table in the
-- transaction that made the table it references a reference table.

-- Up Migration

-- Live updates on Citus: a tenant table's trigger fires on the worker that
-- holds the shard, where NOTIFY reaches no listener and blocks the two-phase
-- commit of any write that spans nodes. Every change the app makes to those
-- tables writes an audit row in the same transaction, and the audit log is a
-- plain table on the coordinator: realtime.announce_audited() announces the
-- changes an audited action made, from that row. The distribution step
-- (db/citus/distribute.sql) puts it on audit_logs; on a single server the
-- tables' own triggers announce, and tests compare the two (decision 005).

-- One change announced: the payload realtime.announce() has always sent.
CREATE FUNCTION realtime.notify_change(channel text, org uuid, tbl text, op text, row_id text, ws text, project text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM pg_notify(channel, jsonb_strip_nulls(jsonb_build_object(
    'id', nextval('realtime.event_ids'),
    'org', org,
    'table', tbl,
    'op', op,
    'row', row_id,
    'ws', ws,
    'project', project,
    'actor', nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  ))::text);
END
$$;
REVOKE ALL ON FUNCTION realtime.notify_change(text, uuid, text, text, text, text, text) FROM PUBLIC;

-- The same change for each id of `ids` (a JSON array from an audit row's
-- details): a workspace is its own workspace, a project its own project.
CREATE FUNCTION realtime.notify_each(channel text, org uuid, tbl text, op text, ids jsonb, ws text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  each_id text;
BEGIN
  FOR each_id IN SELECT jsonb_array_elements_text(coalesce(ids, '[]')) LOOP
    PERFORM realtime.notify_change(channel, org, tbl, op, each_id,
      CASE WHEN tbl = 'workspaces' THEN each_id ELSE ws END, CASE WHEN tbl = 'projects' THEN each_id END);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION realtime.notify_each(text, uuid, text, text, jsonb, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION realtime.announce() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  IF changed ->> 'organization_id' IS NULL THEN RETURN NULL; END IF;
  PERFORM realtime.notify_change('nextsaas_changes', (changed ->> 'organization_id')::uuid, TG_ARGV[0], lower(TG_OP), changed ->> 'id',
    CASE WHEN TG_NARGS > 1 THEN changed ->> TG_ARGV[1] END,
    CASE WHEN TG_NARGS > 2 THEN changed ->> TG_ARGV[2] END);
  RETURN NULL;
END
$$;

-- The changes behind one successful audited action, on channel TG_ARGV[0]:
-- the audited row itself, and what went with it as the details record it
-- (a workspace's projects, a deleted role's reassigned members and the
-- invitations offering it, the previous default, an expired invitation the
-- new one replaces). The audit row's own announcement is audit_logs_announce's.
-- Not announced: changes made outside the app (they write no audit row).
CREATE FUNCTION realtime.announce_audited() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  channel text := TG_ARGV[0];
  org uuid := NEW.organization_id;
  r text := NEW.resource_id;
  d jsonb := coalesce(NEW.details, '{}'::jsonb);
  -- The membership of the audit row's user: the new member who accepted, the owner who handed over.
  own_membership text;
BEGIN
  IF org IS NULL OR NEW.result <> 'success' OR r IS NULL THEN RETURN NULL; END IF;
  CASE NEW.action
    WHEN 'workspace.created' THEN PERFORM realtime.notify_change(channel, org, 'workspaces', 'insert', r, r, NULL);
    WHEN 'workspace.updated' THEN PERFORM realtime.notify_change(channel, org, 'workspaces', 'update', r, r, NULL);
    WHEN 'workspace.made_default' THEN
      PERFORM realtime.notify_each(channel, org, 'workspaces', 'update', d -> 'previousDefaultIds', NULL);
      PERFORM realtime.notify_change(channel, org, 'workspaces', 'update', r, r, NULL);
    WHEN 'workspace.deleted' THEN
      PERFORM realtime.notify_each(channel, org, 'projects', 'delete', d -> 'projectIds', r);
      PERFORM realtime.notify_change(channel, org, 'workspaces', 'delete', r, r, NULL);
      IF d ->> 'newDefaultWorkspaceId' IS NOT NULL THEN
        PERFORM realtime.notify_change(channel, org, 'workspaces', 'update', d ->> 'newDefaultWorkspaceId', d ->> 'newDefaultWorkspaceId', NULL);
      END IF;
    WHEN 'project.created' THEN PERFORM realtime.notify_change(channel, org, 'projects', 'insert', r, d ->> 'workspaceId', r);
    WHEN 'project.updated', 'project.archived', 'project.unarchived' THEN
      PERFORM realtime.notify_change(channel, org, 'projects', 'update', r, d ->> 'workspaceId', r);
    WHEN 'project.deleted' THEN PERFORM realtime.notify_change(channel, org, 'projects', 'delete', r, d ->> 'workspaceId', r);
    WHEN 'member.role_changed', 'member.suspended', 'member.reactivated' THEN
      PERFORM realtime.notify_change(channel, org, 'members', 'update', r, NULL, NULL);
    WHEN 'member.removed' THEN PERFORM realtime.notify_change(channel, org, 'members', 'delete', r, NULL, NULL);
    WHEN 'organization.ownership_transferred' THEN
      SELECT m.id::text INTO own_membership FROM public.organization_members m WHERE m.organization_id = org AND m.user_id = NEW.user_id;
      PERFORM realtime.notify_change(channel, org, 'members', 'update', r, NULL, NULL);
      IF own_membership IS NOT NULL THEN
        PERFORM realtime.notify_change(channel, org, 'members', 'update', own_membership, NULL, NULL);
      END IF;
    WHEN 'role.created' THEN PERFORM realtime.notify_change(channel, org, 'roles', 'insert', r, NULL, NULL);
    WHEN 'role.updated' THEN PERFORM realtime.notify_change(channel, org, 'roles', 'update', r, NULL, NULL);
    WHEN 'role.deleted' THEN
      PERFORM realtime.notify_each(channel, org, 'members', 'update', d -> 'reassignedMemberIds', NULL);
      PERFORM realtime.notify_each(channel, org, 'invitations', 'delete', d -> 'invitationIds', NULL);
      PERFORM realtime.notify_change(channel, org, 'roles', 'delete', r, NULL, NULL);
    WHEN 'invitation.created' THEN
      PERFORM realtime.notify_each(channel, org, 'invitations', 'update', d -> 'revokedExpiredIds', NULL);
      PERFORM realtime.notify_change(channel, org, 'invitations', 'insert', r, NULL, NULL);
    WHEN 'invitation.resent', 'invitation.revoked' THEN PERFORM realtime.notify_change(channel, org, 'invitations', 'update', r, NULL, NULL);
    WHEN 'invitation.accepted' THEN
      SELECT m.id::text INTO own_membership FROM public.organization_members m WHERE m.organization_id = org AND m.user_id = NEW.user_id;
      IF own_membership IS NOT NULL THEN
        PERFORM realtime.notify_change(channel, org, 'members', 'insert', own_membership, NULL, NULL);
      END IF;
      PERFORM realtime.notify_change(channel, org, 'invitations', 'update', r, NULL, NULL);
    ELSE NULL;
  END CASE;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION realtime.announce_audited() FROM PUBLIC;

-- What deleting a workspace or a role takes with it by cascade (its projects;
-- the invitations offering the role), whatever of it the deleter may read: the
-- audit row names it, for the announcement above. Ids only, and only to a
-- caller who may delete that workspace or manage roles.
CREATE FUNCTION public.workspace_project_ids(p_org uuid, p_workspace uuid) RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT CASE WHEN auth.has_permission(p_org, 'workspace:delete', p_workspace, NULL) THEN ARRAY(
    SELECT p.id FROM public.projects p WHERE p.organization_id = p_org AND p.workspace_id = p_workspace ORDER BY p.id) END
$$;
CREATE FUNCTION public.role_invitation_ids(p_org uuid, p_role text) RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT CASE WHEN auth.has_permission(p_org, 'role:manage', NULL, NULL) THEN ARRAY(
    SELECT i.id FROM public.invitations i WHERE i.organization_id = p_org AND i.role = p_role ORDER BY i.id) END
$$;
REVOKE ALL ON FUNCTION public.workspace_project_ids(uuid, uuid), public.role_invitation_ids(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.workspace_project_ids(uuid, uuid), public.role_invitation_ids(uuid, text) TO authenticated;

-- The batch re-read, as each reader in turn: its parts (the app's queries,
-- literals only, each returning table, id and row) run as the caller —
-- `authenticated` — under each reader's claims. The parts run one by one: on
-- Citus a union of a coordinator table (the logs) with a sharded one is
-- planned in several steps with intermediate results. The reader switch is a
-- SET LOCAL: on Citus that is what reaches the workers (with
-- citus.propagate_set_commands = 'local', as the app's transactions set it),
-- where the policies read the claims; a set_config would leave each worker
-- with the first reader's. The caller's own claims are back when it returns.
DROP FUNCTION realtime.read_as(jsonb, text);
CREATE FUNCTION realtime.read_as(readers jsonb, parts text[])
RETURNS TABLE (reader integer, "table" text, id text, "row" jsonb)
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = public
AS $$
DECLARE
  own_claims text := coalesce(current_setting('request.jwt.claims', true), '');
  part text;
BEGIN
  FOR i IN 0 .. jsonb_array_length(readers) - 1 LOOP
    EXECUTE format('SET LOCAL request.jwt.claims = %L', readers -> i);
    FOREACH part IN ARRAY parts LOOP
      RETURN QUERY EXECUTE format('select %s::integer, q.* from (%s) q', i, part);
    END LOOP;
  END LOOP;
  EXECUTE format('SET LOCAL request.jwt.claims = %L', own_claims);
END
$$;
REVOKE ALL ON FUNCTION realtime.read_as(jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime.read_as(jsonb, text[]) TO authenticated;

-- The names of the batch's actors that a reader of this organization may
-- see: its members' (the users policy shows the members of the caller's
-- organizations), for a caller who is an active member there. One look-up in
-- that organization, where the policy asks on Citus, per user, whether any
-- organization is shared: a query on every worker.
CREATE FUNCTION realtime.member_names(org uuid, user_ids uuid[]) RETURNS TABLE (id uuid, name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT auth.token_allows(org, NULL) OR NOT EXISTS (
    SELECT 1 FROM public.organization_members me WHERE me.organization_id = org AND me.user_id = auth.uid() AND me.status = 'active'
  ) THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT u.id, u.name FROM public.organization_members m JOIN auth.users u ON u.id = m.user_id
    WHERE m.organization_id = org AND m.user_id = ANY (user_ids);
END
$$;
REVOKE ALL ON FUNCTION realtime.member_names(uuid, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime.member_names(uuid, uuid[]) TO authenticated;

-- The streams' periodic check, in steps Citus can plan: the credentials that
-- still hold (coordinator tables), then the active memberships among their
-- organizations (the distributed table, by organization), then the match. A
-- correlated look-up per stream, as before, is refused there ("complex
-- joins"). Same rules as before.
CREATE OR REPLACE FUNCTION realtime.open_streams(p_streams jsonb) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN QUERY
  WITH stream AS MATERIALIZED (
    SELECT (e ->> 'i')::integer AS i, e ->> 'kind' AS kind, e ->> 'hash' AS hash, (e ->> 'org')::uuid AS org,
           (e ->> 'lifetime')::float8 AS lifetime
    FROM jsonb_array_elements(p_streams) AS e
  ), holder AS MATERIALIZED (
    SELECT s.i, s.org, x.user_id FROM stream s JOIN auth.sessions x ON x.id = s.hash
    WHERE s.kind = 'session' AND x.expires_at > now() AND x.created_at > now() - make_interval(secs => s.lifetime)
    UNION ALL
    SELECT s.i, s.org, t.user_id FROM stream s JOIN auth.api_tokens t ON t.token_hash = s.hash
    WHERE s.kind = 'token' AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
      AND (t.scope_organization_id IS NULL OR t.scope_organization_id = s.org)
  ), active AS MATERIALIZED (
    SELECT m.organization_id, m.user_id FROM public.organization_members m
    WHERE m.status = 'active' AND m.organization_id = ANY (ARRAY(SELECT DISTINCT h.org FROM holder h))
  )
  SELECT h.i FROM holder h JOIN active a ON a.organization_id = h.org AND a.user_id = h.user_id;
END
$$;

-- The organizations whose role lets the caller read with `permission`: for
-- a reading confined to one organization (claim `read_org`, which the live
-- updates' re-read sets), that one alone is asked about. It can only narrow
-- the answer, and it spares Citus a query on every shard per reader: the
-- logs' read policies call this once per statement.
CREATE OR REPLACE FUNCTION auth.permitted_organization_ids(permission text) RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  read_org uuid := (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'read_org')::uuid;
BEGIN
  IF read_org IS NOT NULL THEN
    RETURN CASE WHEN auth.has_permission(read_org, permission) THEN ARRAY[read_org] ELSE '{}'::uuid[] END;
  END IF;
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
          WHERE m.user_id = auth.uid() AND m.status = 'active' AND auth.permits(r.permissions, permission)
            AND auth.token_allows(m.organization_id, permission));
END
$$;

CREATE OR REPLACE FUNCTION realtime.open_streams(p_streams jsonb) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT (s ->> 'i')::integer
  FROM jsonb_array_elements(p_streams) AS s
  WHERE CASE s ->> 'kind'
    WHEN 'session' THEN EXISTS (
      SELECT 1 FROM auth.sessions x
      JOIN public.organization_members m
        ON m.user_id = x.user_id AND m.organization_id = (s ->> 'org')::uuid AND m.status = 'active'
      WHERE x.id = s ->> 'hash' AND x.expires_at > now()
        AND x.created_at > now() - make_interval(secs => (s ->> 'lifetime')::float8))
    ELSE EXISTS (
      SELECT 1 FROM auth.api_tokens t
      JOIN public.organization_members m
        ON m.user_id = t.user_id AND m.organization_id = (s ->> 'org')::uuid AND m.status = 'active'
      WHERE t.token_hash = s ->> 'hash' AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
        AND (t.scope_organization_id IS NULL OR t.scope_organization_id = m.organization_id))
  END
$$;
DROP FUNCTION realtime.member_names(uuid, uuid[]);
DROP FUNCTION realtime.read_as(jsonb, text[]);
CREATE FUNCTION realtime.read_as(readers jsonb, query text)
RETURNS TABLE (reader integer, "table" text, id text, "row" jsonb)
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = public
AS $$
BEGIN
  FOR i IN 0 .. jsonb_array_length(readers) - 1 LOOP
    PERFORM set_config('request.jwt.claims', (readers -> i)::text, true);
    RETURN QUERY EXECUTE format('select %s::integer, q.* from (%s) q', i, query);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION realtime.read_as(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime.read_as(jsonb, text) TO authenticated;
DROP FUNCTION public.role_invitation_ids(uuid, text);
DROP FUNCTION public.workspace_project_ids(uuid, uuid);
DROP TRIGGER IF EXISTS audit_logs_announce_changes ON public.audit_logs;
DROP FUNCTION realtime.announce_audited();
CREATE OR REPLACE FUNCTION realtime.announce() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
  claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
BEGIN
  IF changed ->> 'organization_id' IS NULL THEN RETURN NULL; END IF;
  PERFORM pg_notify('nextsaas_changes', jsonb_strip_nulls(jsonb_build_object(
    'id', nextval('realtime.event_ids'),
    'org', changed ->> 'organization_id',
    'table', TG_ARGV[0],
    'op', lower(TG_OP),
    'row', changed ->> 'id',
    'ws', CASE WHEN TG_NARGS > 1 THEN changed ->> TG_ARGV[1] END,
    'project', CASE WHEN TG_NARGS > 2 THEN changed ->> TG_ARGV[2] END,
    'actor', claims ->> 'sub'
  ))::text);
  RETURN NULL;
END
$$;
DROP FUNCTION realtime.notify_each(text, uuid, text, text, jsonb, text);
DROP FUNCTION realtime.notify_change(text, uuid, text, text, text, text, text);

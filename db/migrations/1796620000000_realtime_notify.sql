-- Up Migration

-- Live updates: after each row change on the tables a page shows, a NOTIFY on
-- channel `nextsaas_changes` with ids only — the organization, the table, the
-- operation, the row, its workspace and project where it has them, the acting
-- user, and an event id from a sequence. No names, no tenant data: the app
-- re-reads the row as each subscriber, under RLS, before sending anything.
-- NOTIFY is transactional: only committed changes are announced, in commit order.
CREATE SCHEMA realtime;
REVOKE ALL ON SCHEMA realtime FROM PUBLIC;

CREATE SEQUENCE realtime.event_ids AS bigint;

-- Definer, so that every writer (the app's roles, definer helpers) may draw an
-- event id without a grant on the sequence. TG_ARGV[0] names the table in the
-- payload; TG_ARGV[1] and [2] name the row's workspace and project columns.
CREATE FUNCTION realtime.announce() RETURNS trigger
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
REVOKE ALL ON FUNCTION realtime.announce() FROM PUBLIC;

CREATE TRIGGER workspaces_announce AFTER INSERT OR UPDATE OR DELETE ON public.workspaces
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('workspaces', 'id');
CREATE TRIGGER projects_announce AFTER INSERT OR UPDATE OR DELETE ON public.projects
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('projects', 'workspace_id', 'id');
CREATE TRIGGER organization_members_announce AFTER INSERT OR UPDATE OR DELETE ON public.organization_members
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('members');
CREATE TRIGGER roles_announce AFTER INSERT OR UPDATE OR DELETE ON public.roles
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('roles');
CREATE TRIGGER invitations_announce AFTER INSERT OR UPDATE OR DELETE ON public.invitations
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('invitations');
CREATE TRIGGER audit_logs_announce AFTER INSERT OR UPDATE OR DELETE ON public.audit_logs
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('audit_logs');
CREATE TRIGGER security_events_announce AFTER INSERT OR UPDATE OR DELETE ON public.security_events
  FOR EACH ROW EXECUTE FUNCTION realtime.announce('security_events');

-- The re-read of one organization's batch of changes for several readers
-- in one statement: for each reader's claims in turn, `query` (the app's
-- own, literals only, returning table, id and row) runs as the caller —
-- `authenticated`, so RLS filters each run for that reader. It grants
-- nothing new: setting the claims is what every transaction does first.
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
GRANT USAGE ON SCHEMA realtime TO authenticated;
GRANT EXECUTE ON FUNCTION realtime.read_as(jsonb, text) TO authenticated;

-- The streams' periodic check, for all of a process's streams at once: which
-- of them (by index) still open — a session not ended, within both clocks, a
-- token not revoked or expired and scoped to that organization, each of an
-- active member. Definer, because the membership is a tenant row the auth
-- service cannot read; for the auth service alone, which already reads the
-- credentials (the caller must hold the hashes).
CREATE FUNCTION realtime.open_streams(p_streams jsonb) RETURNS SETOF integer
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
REVOKE ALL ON FUNCTION realtime.open_streams(jsonb) FROM PUBLIC;
GRANT USAGE ON SCHEMA realtime TO nextsaas_auth;
GRANT EXECUTE ON FUNCTION realtime.open_streams(jsonb) TO nextsaas_auth;

-- Down Migration

DROP TRIGGER security_events_announce ON public.security_events;
DROP TRIGGER audit_logs_announce ON public.audit_logs;
DROP TRIGGER invitations_announce ON public.invitations;
DROP TRIGGER roles_announce ON public.roles;
DROP TRIGGER organization_members_announce ON public.organization_members;
DROP TRIGGER projects_announce ON public.projects;
DROP TRIGGER workspaces_announce ON public.workspaces;
DROP SCHEMA realtime CASCADE;

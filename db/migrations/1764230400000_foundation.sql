-- Up Migration

-- Roles are cluster-wide: create them once, never drop them in a down step
-- (other databases on the same server may hold grants to them).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nextsaas_auth') THEN
    CREATE ROLE nextsaas_auth NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nextsaas_app') THEN
    -- NOINHERIT: the login holds nothing until a transaction sets one of its roles.
    CREATE ROLE nextsaas_app LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END
$$;
GRANT authenticated, nextsaas_auth TO nextsaas_app;

CREATE SCHEMA auth;
GRANT USAGE ON SCHEMA auth TO authenticated, nextsaas_auth;
GRANT USAGE ON SCHEMA public TO authenticated, nextsaas_auth;

-- The subject of the current transaction, from the claims withTenant() sets.
CREATE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$
  SELECT (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
$$;

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------- auth schema

CREATE TABLE auth.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON auth.users (lower(email));
CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- Kept apart from the profile so that no `select *` on users can carry a hash.
CREATE TABLE auth.passwords (
  user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER passwords_touch BEFORE UPDATE ON auth.passwords
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- Lucia's session table; `id` is the SHA-256 of the token the cookie carries.
CREATE TABLE auth.sessions (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  ip_address inet,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_id_idx ON auth.sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON auth.sessions (expires_at);

-- ---------------------------------------------------------------- tenants

CREATE TABLE public.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  slug text NOT NULL UNIQUE CHECK (char_length(slug) BETWEEN 1 AND 64 AND slug = lower(slug) AND slug !~ '[\s/?#%\\]'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER organizations_touch BEFORE UPDATE ON public.organizations
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- Built-in roles (owner, admin, member) are rows of every organization too,
-- so that memberships reference roles by (organization_id, key) alone.
CREATE TABLE public.roles (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
  permissions text[] NOT NULL DEFAULT '{}',
  is_builtin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, key)
);
CREATE TRIGGER roles_touch BEFORE UPDATE ON public.roles
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TABLE public.organization_members (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  role text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'suspended')),
  invited_at timestamptz NOT NULL DEFAULT now(),
  joined_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, user_id),
  FOREIGN KEY (organization_id, role) REFERENCES public.roles (organization_id, key) ON UPDATE CASCADE
);
-- Policies look memberships up by user; listings by organization use the PK.
CREATE INDEX organization_members_user_active_idx ON public.organization_members (user_id, organization_id, role)
  WHERE status = 'active';
CREATE TRIGGER organization_members_touch BEFORE UPDATE ON public.organization_members
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TABLE public.workspaces (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  slug text NOT NULL CHECK (char_length(slug) BETWEEN 1 AND 64 AND slug = lower(slug) AND slug !~ '[\s/?#%\\]'),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  icon text NOT NULL DEFAULT '🏢' CHECK (char_length(icon) BETWEEN 1 AND 16),
  color text NOT NULL DEFAULT '#3B82F6' CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
  is_default boolean NOT NULL DEFAULT false,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, slug)
);
CREATE UNIQUE INDEX workspaces_one_default_idx ON public.workspaces (organization_id) WHERE is_default;
CREATE INDEX workspaces_org_created_idx ON public.workspaces (organization_id, created_at DESC);
CREATE TRIGGER workspaces_touch BEFORE UPDATE ON public.workspaces
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TABLE public.projects (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  slug text NOT NULL CHECK (char_length(slug) BETWEEN 1 AND 64 AND slug = lower(slug) AND slug !~ '[\s/?#%\\]'),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, workspace_id, slug),
  FOREIGN KEY (organization_id, workspace_id) REFERENCES public.workspaces (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX projects_org_created_idx ON public.projects (organization_id, created_at DESC);
CREATE INDEX projects_workspace_name_idx ON public.projects (organization_id, workspace_id, name);
CREATE TRIGGER projects_touch BEFORE UPDATE ON public.projects
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- Logs outlive the organization they describe: no FK to organizations, and
-- organization_id is NULL for events outside any organization (sign-in).
CREATE TABLE public.audit_logs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid,
  user_id uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  action text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
  resource_type text NOT NULL CHECK (char_length(resource_type) BETWEEN 1 AND 100),
  resource_id text,
  details jsonb NOT NULL DEFAULT '{}',
  ip_address inet,
  user_agent text,
  result text NOT NULL CHECK (result IN ('success', 'failure', 'error')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_org_created_idx ON public.audit_logs (organization_id, created_at DESC);
CREATE INDEX audit_logs_user_created_idx ON public.audit_logs (user_id, created_at DESC);

CREATE TABLE public.security_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid,
  user_id uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  type text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  details jsonb NOT NULL DEFAULT '{}',
  ip_address inet,
  endpoint text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_events_org_created_idx ON public.security_events (organization_id, created_at DESC);

-- ---------------------------------------------------------------- permissions

-- Does a set of held permissions satisfy `required`? Inheritance runs downward
-- only: delete ⇒ update ⇒ view and manage ⇒ view; '*' holds everything.
-- Mirrors app/utils/permissions.ts (a property test keeps the two equal).
CREATE FUNCTION auth.permits(held text[], required text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT '*' = ANY (held)
    OR required = ANY (held)
    OR (split_part(required, ':', 2) = 'view' AND (
          split_part(required, ':', 1) || ':update' = ANY (held)
       OR split_part(required, ':', 1) || ':delete' = ANY (held)
       OR split_part(required, ':', 1) || ':manage' = ANY (held)))
    OR (split_part(required, ':', 2) = 'update'
        AND split_part(required, ':', 1) || ':delete' = ANY (held))
$$;

-- SECURITY DEFINER so that policies on organization_members can call them
-- without recursing into their own RLS; each reads only the caller's rows.
CREATE FUNCTION auth.member_organization_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(array_agg(organization_id), '{}')
  FROM public.organization_members
  WHERE user_id = auth.uid() AND status = 'active'
$$;

CREATE FUNCTION auth.has_permission(org_id uuid, permission text) RETURNS boolean
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

REVOKE EXECUTE ON FUNCTION auth.member_organization_ids(), auth.has_permission(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.member_organization_ids(), auth.has_permission(uuid, text) TO authenticated;

-- Creating a tenant is the one step no tenant policy can allow (there is no
-- member yet to hold a permission): the organization, its built-in roles, the
-- caller as owner and a default workspace, all or nothing.
CREATE FUNCTION public.create_organization(p_name text, p_slug text, p_roles jsonb) RETURNS uuid
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
REVOKE EXECUTE ON FUNCTION public.create_organization(text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.create_organization(text, text, jsonb) TO authenticated;

-- ---------------------------------------------------------------- RLS

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE public.roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.roles FORCE ROW LEVEL SECURITY;
ALTER TABLE public.organization_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organization_members FORCE ROW LEVEL SECURITY;
ALTER TABLE public.workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.workspaces FORCE ROW LEVEL SECURITY;
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.projects FORCE ROW LEVEL SECURITY;
ALTER TABLE public.audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_logs FORCE ROW LEVEL SECURITY;
ALTER TABLE public.security_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.security_events FORCE ROW LEVEL SECURITY;
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.users FORCE ROW LEVEL SECURITY;
ALTER TABLE auth.passwords ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.passwords FORCE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions FORCE ROW LEVEL SECURITY;

-- organizations: created only through create_organization()
GRANT SELECT, UPDATE, DELETE ON public.organizations TO authenticated;
CREATE POLICY organizations_select ON public.organizations FOR SELECT TO authenticated
  USING (id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY organizations_update ON public.organizations FOR UPDATE TO authenticated
  USING (auth.has_permission(id, 'organization:manage'))
  WITH CHECK (auth.has_permission(id, 'organization:manage'));
CREATE POLICY organizations_delete ON public.organizations FOR DELETE TO authenticated
  USING (auth.has_permission(id, 'organization:delete'));

-- roles: built-in rows are read-only for everyone
GRANT SELECT, INSERT, UPDATE, DELETE ON public.roles TO authenticated;
CREATE POLICY roles_select ON public.roles FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY roles_insert ON public.roles FOR INSERT TO authenticated
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));
CREATE POLICY roles_update ON public.roles FOR UPDATE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'))
  WITH CHECK (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));
CREATE POLICY roles_delete ON public.roles FOR DELETE TO authenticated
  USING (NOT is_builtin AND auth.has_permission(organization_id, 'role:manage'));

GRANT SELECT, INSERT, UPDATE, DELETE ON public.organization_members TO authenticated;
CREATE POLICY organization_members_select ON public.organization_members FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY organization_members_insert ON public.organization_members FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'member:invite'));
CREATE POLICY organization_members_update ON public.organization_members FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'member:update'))
  WITH CHECK (auth.has_permission(organization_id, 'member:update'));
CREATE POLICY organization_members_delete ON public.organization_members FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'member:remove'));

GRANT SELECT, INSERT, UPDATE, DELETE ON public.workspaces TO authenticated;
CREATE POLICY workspaces_select ON public.workspaces FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY workspaces_insert ON public.workspaces FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'workspace:create'));
CREATE POLICY workspaces_update ON public.workspaces FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:update'))
  WITH CHECK (auth.has_permission(organization_id, 'workspace:update'));
CREATE POLICY workspaces_delete ON public.workspaces FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'workspace:delete'));

GRANT SELECT, INSERT, UPDATE, DELETE ON public.projects TO authenticated;
CREATE POLICY projects_select ON public.projects FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[]));
CREATE POLICY projects_insert ON public.projects FOR INSERT TO authenticated
  WITH CHECK (auth.has_permission(organization_id, 'project:create'));
CREATE POLICY projects_update ON public.projects FOR UPDATE TO authenticated
  USING (auth.has_permission(organization_id, 'project:update'))
  WITH CHECK (auth.has_permission(organization_id, 'project:update'));
CREATE POLICY projects_delete ON public.projects FOR DELETE TO authenticated
  USING (auth.has_permission(organization_id, 'project:delete'));

-- audit_logs: append-only. No UPDATE or DELETE is granted to any role the app
-- can become; members write rows about themselves, admins read them.
GRANT SELECT, INSERT ON public.audit_logs TO authenticated;
GRANT INSERT ON public.audit_logs TO nextsaas_auth;
CREATE POLICY audit_logs_select ON public.audit_logs FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'audit:view'));
CREATE POLICY audit_logs_insert ON public.audit_logs FOR INSERT TO authenticated
  WITH CHECK (user_id = (SELECT auth.uid())
    AND (organization_id IS NULL OR organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));
CREATE POLICY audit_logs_insert_auth ON public.audit_logs FOR INSERT TO nextsaas_auth
  WITH CHECK (organization_id IS NULL);

-- security_events: readable by holders of security:view; written only
-- through a narrow SECURITY DEFINER function (the monitor's own path).
GRANT SELECT ON public.security_events TO authenticated;
CREATE POLICY security_events_select ON public.security_events FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'security:view'));

-- users: yourself and the people you share an organization with.
GRANT SELECT ON auth.users TO authenticated;
GRANT UPDATE (name) ON auth.users TO authenticated;
CREATE POLICY users_select ON auth.users FOR SELECT TO authenticated
  USING (id = (SELECT auth.uid()) OR EXISTS (
    SELECT 1 FROM public.organization_members m
    WHERE m.user_id = users.id AND m.status = 'active'
      AND m.organization_id = ANY ((SELECT auth.member_organization_ids())::uuid[])));
CREATE POLICY users_update ON auth.users FOR UPDATE TO authenticated
  USING (id = (SELECT auth.uid())) WITH CHECK (id = (SELECT auth.uid()));

-- The auth service (sign-up, sign-in, Lucia's session store) works before
-- anyone is known, so it sees accounts, credentials and sessions whole.
GRANT SELECT, INSERT, UPDATE ON auth.users, auth.passwords TO nextsaas_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.sessions TO nextsaas_auth;
CREATE POLICY users_auth ON auth.users FOR ALL TO nextsaas_auth USING (true) WITH CHECK (true);
CREATE POLICY passwords_auth ON auth.passwords FOR ALL TO nextsaas_auth USING (true) WITH CHECK (true);
CREATE POLICY sessions_auth ON auth.sessions FOR ALL TO nextsaas_auth USING (true) WITH CHECK (true);

-- Down Migration

DROP FUNCTION public.create_organization(text, text, jsonb);
-- auth first: its CASCADE takes the policies and foreign keys that point into it.
DROP SCHEMA auth CASCADE;
DROP TABLE public.security_events;
DROP TABLE public.audit_logs;
DROP TABLE public.projects;
DROP TABLE public.workspaces;
DROP TABLE public.organization_members;
DROP TABLE public.roles;
DROP TABLE public.organizations;
DROP FUNCTION public.touch_updated_at();
REVOKE USAGE ON SCHEMA public FROM authenticated, nextsaas_auth;

-- Up Migration

-- Each audit row names the request that wrote it (its traceId, the
-- x-request-id the error pages and the API quote), so that a reference leads
-- from the log lines to the rows. Indexed for equality and prefix lookups.
ALTER TABLE public.audit_logs ADD COLUMN trace_id text CHECK (char_length(trace_id) <= 128);
CREATE INDEX audit_logs_trace_idx ON public.audit_logs (trace_id text_pattern_ops) WHERE trace_id IS NOT NULL;

-- accept_invitation() writes its own audit row: it takes the traceId too.
DROP FUNCTION public.accept_invitation(text, inet, text);
CREATE FUNCTION public.accept_invitation(p_token_hash text, p_ip inet, p_user_agent text, p_trace_id text) RETURNS text
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
  INSERT INTO public.audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result, trace_id)
  VALUES (inv.organization_id, caller, 'invitation.accepted', 'invitation', inv.id::text,
          jsonb_build_object('email', inv.email, 'role', inv.role), p_ip, p_user_agent, 'success', p_trace_id);
  SELECT slug INTO org_slug FROM public.organizations WHERE id = inv.organization_id;
  RETURN org_slug;
END
$$;
REVOKE EXECUTE ON FUNCTION public.accept_invitation(text, inet, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text, inet, text, text) TO authenticated;

-- Down Migration

DROP FUNCTION public.accept_invitation(text, inet, text, text);
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
REVOKE EXECUTE ON FUNCTION public.accept_invitation(text, inet, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text, inet, text) TO authenticated;

DROP INDEX public.audit_logs_trace_idx;
ALTER TABLE public.audit_logs DROP COLUMN trace_id;

-- Up Migration

-- Accepting locks the invitation by organization and token, not by token
-- alone: on Citus a row lock must name the distribution column (a
-- multi-shard FOR UPDATE is refused), and the lookup by token that finds
-- the organization only reads.
CREATE OR REPLACE FUNCTION public.accept_invitation(p_token_hash text, p_ip inet, p_user_agent text, p_trace_id text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  caller uuid := auth.uid();
  inv_org uuid;
  inv public.invitations;
  account auth.users;
  org_slug text;
BEGIN
  IF caller IS NULL THEN RAISE EXCEPTION 'not_authenticated'; END IF;
  -- The token names no organization: find it, then lock the row within it.
  SELECT organization_id INTO inv_org FROM public.invitations WHERE token_hash = p_token_hash;
  IF NOT FOUND THEN RAISE EXCEPTION 'invitation_not_found'; END IF;
  SELECT * INTO inv FROM public.invitations WHERE organization_id = inv_org AND token_hash = p_token_hash FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'invitation_not_found'; END IF;
  IF inv.accepted_at IS NOT NULL THEN RAISE EXCEPTION 'invitation_used'; END IF;
  IF inv.revoked_at IS NOT NULL THEN RAISE EXCEPTION 'invitation_revoked'; END IF;
  IF inv.expires_at <= now() THEN RAISE EXCEPTION 'invitation_expired'; END IF;
  IF EXISTS (SELECT 1 FROM public.organizations WHERE id = inv.organization_id AND status = 'suspended') THEN
    RAISE EXCEPTION 'organization_suspended';
  END IF;
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

-- Down Migration

CREATE OR REPLACE FUNCTION public.accept_invitation(p_token_hash text, p_ip inet, p_user_agent text, p_trace_id text) RETURNS text
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
  IF EXISTS (SELECT 1 FROM public.organizations WHERE id = inv.organization_id AND status = 'suspended') THEN
    RAISE EXCEPTION 'organization_suspended';
  END IF;
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

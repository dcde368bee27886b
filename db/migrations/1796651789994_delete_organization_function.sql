-- Up Migration

-- Deleting an organization goes through one definer function, as creating
-- one does, with the delete policy's own rule. On Citus the organization is a
-- reference-table row: its policy would run on every placement, away from the
-- worker that holds the memberships, and delete nothing. Here the permission
-- is read where the membership lives, and the cascade removes the rest.
CREATE FUNCTION public.delete_organization(p_organization uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT auth.has_permission(p_organization, 'organization:delete') THEN RETURN false; END IF;
  DELETE FROM public.organizations WHERE id = p_organization;
  RETURN FOUND;
END
$$;
REVOKE EXECUTE ON FUNCTION public.delete_organization(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.delete_organization(uuid) TO authenticated;

-- Down Migration

DROP FUNCTION public.delete_organization(uuid);

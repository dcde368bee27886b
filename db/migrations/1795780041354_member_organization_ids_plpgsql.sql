-- Up Migration

-- PL/pgSQL keeps its query plan per connection; a SQL function with
-- SECURITY DEFINER and SET is planned again in every statement that calls it,
-- and the read policies call this one on every tenant query.
CREATE OR REPLACE FUNCTION auth.member_organization_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(organization_id), '{}') FROM public.organization_members
          WHERE user_id = auth.uid() AND status = 'active');
END
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION auth.member_organization_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT coalesce(array_agg(organization_id), '{}')
  FROM public.organization_members
  WHERE user_id = auth.uid() AND status = 'active'
$$;

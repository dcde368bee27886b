-- Up Migration

-- The events page counts and charts an organization's events: the same rule as
-- before (the organization role must permit security:view), checked once per
-- statement instead of once per row, as for the audit log.
DROP POLICY security_events_select ON public.security_events;
CREATE POLICY security_events_select ON public.security_events FOR SELECT TO authenticated
  USING (organization_id = ANY ((SELECT auth.permitted_organization_ids('security:view'))::uuid[]));

-- Down Migration

DROP POLICY security_events_select ON public.security_events;
CREATE POLICY security_events_select ON public.security_events FOR SELECT TO authenticated
  USING (auth.has_permission(organization_id, 'security:view'));

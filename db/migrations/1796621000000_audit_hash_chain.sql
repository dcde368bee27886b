-- Up Migration

-- Tamper evidence: the audit rows of each organization form a hash chain.
-- Each row carries its place in the chain (chain_position: 1, 2, …), the hash
-- of the row before it (prev_hash) and its own hash, computed by the insert
-- trigger below over its content and prev_hash. Changing, deleting or
-- reordering a row breaks the link to the next one; audit:verify recomputes
-- the chain. Rows outside any organization (sign-in, sign-up) form a chain of
-- their own, keyed by the nil uuid.
--
-- actor_id is the user the row was written about, kept apart from user_id:
-- user_id is set to NULL when the account is deleted (ON DELETE SET NULL),
-- which must not break the chain. The hash covers actor_id.
ALTER TABLE public.audit_logs
  ADD COLUMN actor_id uuid,
  ADD COLUMN chain_position bigint,
  ADD COLUMN prev_hash bytea,
  ADD COLUMN hash bytea;

-- The head of each chain: its last position and hash. The insert trigger
-- locks this row (FOR UPDATE) to append, so concurrent inserts into one
-- organization's log queue up and each sees its predecessor's hash; inserts
-- into different organizations do not wait for each other. Only the trigger
-- (a definer function) touches it: authenticated holds no privilege on it.
CREATE TABLE public.audit_chain_heads (
  organization_id uuid PRIMARY KEY,
  chain_position bigint NOT NULL CHECK (chain_position >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
ALTER TABLE public.audit_chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_chain_heads FORCE ROW LEVEL SECURITY;

-- The chain's start: the prev_hash of position 1.
CREATE FUNCTION public.audit_chain_genesis() RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$ SELECT '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea $$;

-- The chain a row belongs to: its organization, or the nil uuid for rows outside any.
CREATE FUNCTION public.audit_chain_key(organization_id uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$ SELECT coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid) $$;

-- A row's hash: sha256(prev_hash || canonical text of the row). The canonical
-- text is a JSON array (PostgreSQL's jsonb text form) of, in this order:
-- position, organization, actor, action, resource type, resource id,
-- details, ip address, user agent, result, trace id, created_at (UTC, to the
-- microsecond) and id — all as strings or null, except details (the jsonb).
CREATE FUNCTION public.audit_row_hash(prev_hash bytea, r public.audit_logs) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT sha256(prev_hash || convert_to(jsonb_build_array(
    r.chain_position::text, r.organization_id::text, r.actor_id::text, r.action, r.resource_type, r.resource_id,
    r.details, r.ip_address::text, r.user_agent, r.result, r.trace_id,
    to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.id::text)::text, 'UTF8'))
$$;

-- Appends the new row to its chain, in the inserting transaction. A definer
-- function: the inserting role can neither read other rows of the log nor
-- the chain heads; it also sets the chain columns itself, whatever the
-- INSERT said.
CREATE FUNCTION public.audit_logs_append_to_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  chain uuid := public.audit_chain_key(NEW.organization_id);
  head public.audit_chain_heads;
BEGIN
  SELECT * INTO head FROM public.audit_chain_heads WHERE organization_id = chain FOR UPDATE;
  IF NOT FOUND THEN
    -- The first row of a chain: a concurrent first insert waits on this key, then finds the row.
    INSERT INTO public.audit_chain_heads (organization_id, chain_position, hash)
    VALUES (chain, 0, public.audit_chain_genesis()) ON CONFLICT (organization_id) DO NOTHING;
    SELECT * INTO head FROM public.audit_chain_heads WHERE organization_id = chain FOR UPDATE;
  END IF;
  NEW.actor_id := NEW.user_id;
  NEW.chain_position := head.chain_position + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := public.audit_row_hash(head.hash, NEW);
  UPDATE public.audit_chain_heads SET chain_position = NEW.chain_position, hash = NEW.hash WHERE organization_id = chain;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_logs_append_to_chain() FROM PUBLIC;

-- The rows written before this migration join their chains in the order they were written.
DO $$
DECLARE
  r public.audit_logs;
  chain uuid;
  prev bytea;
  pos bigint;
BEGIN
  FOR r IN SELECT * FROM public.audit_logs ORDER BY public.audit_chain_key(organization_id), created_at, id LOOP
    IF chain IS DISTINCT FROM public.audit_chain_key(r.organization_id) THEN
      IF chain IS NOT NULL THEN
        INSERT INTO public.audit_chain_heads VALUES (chain, pos, prev);
      END IF;
      chain := public.audit_chain_key(r.organization_id);
      prev := public.audit_chain_genesis();
      pos := 0;
    END IF;
    pos := pos + 1;
    r.actor_id := r.user_id;
    r.chain_position := pos;
    r.prev_hash := prev;
    r.hash := public.audit_row_hash(prev, r);
    UPDATE public.audit_logs SET actor_id = r.actor_id, chain_position = pos, prev_hash = prev, hash = r.hash WHERE id = r.id;
    prev := r.hash;
  END LOOP;
  IF chain IS NOT NULL THEN
    INSERT INTO public.audit_chain_heads VALUES (chain, pos, prev);
  END IF;
END
$$;

ALTER TABLE public.audit_logs
  ALTER COLUMN chain_position SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL;
-- One row per place in a chain (the rows outside any organization too); audit:verify and the export's trailer walk it in order.
CREATE UNIQUE INDEX audit_logs_chain_idx ON public.audit_logs (organization_id, chain_position) NULLS NOT DISTINCT;

CREATE TRIGGER audit_logs_chain BEFORE INSERT ON public.audit_logs
  FOR EACH ROW EXECUTE FUNCTION public.audit_logs_append_to_chain();

-- Down Migration

DROP INDEX public.audit_logs_chain_idx;
DROP TRIGGER audit_logs_chain ON public.audit_logs;
DROP FUNCTION public.audit_logs_append_to_chain();
DROP FUNCTION public.audit_row_hash(bytea, public.audit_logs);
DROP FUNCTION public.audit_chain_key(uuid);
DROP FUNCTION public.audit_chain_genesis();
DROP TABLE public.audit_chain_heads;
ALTER TABLE public.audit_logs DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN chain_position, DROP COLUMN actor_id;

-- Up Migration

-- How long the organization keeps its audit rows, in days, as its owners set
-- it (NULL: as long as the operator's maximum, AUDIT_RETENTION_MAX_DAYS).
-- `npm run audit:prune` deletes what is older. Owners change it through the
-- organizations_update policy (organization:manage) and the owner-only guard.
ALTER TABLE public.organizations ADD COLUMN audit_retention_days integer CHECK (audit_retention_days BETWEEN 1 AND 36500);

-- Before the prune deletes the start of a chain, it records the last row it
-- deletes (its position and hash) here, signed with the operator's ed25519
-- key: audit:verify starts the walk from the latest checkpoint after checking
-- its signature. organization_id is the chain's key (the nil uuid for rows
-- outside any organization). Only the privileged connection touches it:
-- authenticated holds no privilege on it.
CREATE TABLE public.audit_checkpoints (
  organization_id uuid NOT NULL,
  chain_position bigint NOT NULL CHECK (chain_position > 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  pruned_rows bigint NOT NULL CHECK (pruned_rows >= 0),
  key_id text NOT NULL,
  signature bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, chain_position)
);
ALTER TABLE public.audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_checkpoints FORCE ROW LEVEL SECURITY;

-- Down Migration

DROP TABLE public.audit_checkpoints;
ALTER TABLE public.organizations DROP COLUMN audit_retention_days;

/**
 * What a migration must keep in mind when the schema may be distributed on
 * Citus (db/citus/distribute.sql): DDL that Citus does not propagate to the
 * workers, or refuses on its tables. `npm run migrate:generate` prints it;
 * docs/decisions/005-citus-distribution.md has the whole table.
 */
export const CITUS_DDL_WARNINGS = [
  'CREATE TABLE makes a local table on the coordinator: add a tenant table to DISTRIBUTED_TABLES in db/citus/distribute.ts (then npm run citus:distribute)',
  'CREATE POLICY / ALTER POLICY with a subquery (even (SELECT auth.uid())) is refused on Citus tables: give db/citus/distribute.sql a per-row version',
  'a SECURITY DEFINER function in LANGUAGE sql that takes parameters cannot query distributed tables: the distribution step rewrites it in PL/pgSQL, so run it after migrating',
  'UNIQUE, PRIMARY KEY and EXCLUDE constraints must include organization_id; foreign keys may point only to co-located or reference tables, with no ON UPDATE CASCADE on keys holding organization_id',
  'a column-level INSERT grant is refused on Citus tables (Citus writes every column, defaults filled in): grant INSERT on the table and let the insert policy limit the columns',
  'ALTER DATABASE … SET, ALTER SYSTEM and materialized views are per node: they are not propagated',
] as const

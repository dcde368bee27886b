/**
 * Under `npm run test:citus` (the app in its Citus mode, on a cluster). A
 * test that skips there says why beside it; the known gaps are listed, each
 * with its cause, in docs/decisions/005-citus-distribution.md.
 */
export const onCitus = process.env.DATABASE_CITUS === 'true'

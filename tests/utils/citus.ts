/**
 * Under `npm run test:citus` (the app in its Citus mode, on a cluster). The
 * few tests that skip there are the known gaps listed, each with its cause,
 * in docs/decisions/005-citus-distribution.md ("Known gaps").
 */
export const onCitus = process.env.DATABASE_CITUS === 'true'

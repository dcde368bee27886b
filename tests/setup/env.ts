import { inject } from 'vitest'

// The app reads its configuration from the environment, as in production.
process.env.NODE_ENV = 'test'
process.env.DATABASE_URL = inject('databaseUrl')
process.env.LOG_LEVEL = 'silent'
// Several suites send attacks from 127.0.0.1 on purpose; blocking that address
// would fail the rest of the run. The block has its own suite (security-block).
process.env.SECURITY_BLOCK_THRESHOLD = '0'

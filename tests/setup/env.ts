import { inject } from 'vitest'

// The app reads its configuration from the environment, as in production.
process.env.NODE_ENV = 'test'
process.env.DATABASE_URL = inject('databaseUrl')
process.env.LOG_LEVEL = 'silent'

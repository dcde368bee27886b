import type { Config } from '~/lib/config.server'

/** The accounts the demo seed made (db/seed-demo.ts): one published password, and what each account shows. */
export interface DemoAccounts {
  password: string
  accounts: readonly {
    email: string
    name: string
    /** What signing in as this account shows: "auditor: sees the audit log only". */
    summary: string
  }[]
}

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    /** The seeded accounts the sign-in page offers; always null outside development. */
    demoAccounts: DemoAccounts | null
  }
}

/**
 * What a process may offer on its sign-in page: the accounts it was given, in
 * development only. Their password is published, so a production (or test)
 * process offers none, whatever it was handed.
 */
export function offeredDemoAccounts(config: Pick<Config, 'NODE_ENV'>, demo: DemoAccounts | undefined): DemoAccounts | null {
  return config.NODE_ENV === 'development' && demo ? demo : null
}

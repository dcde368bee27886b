/**
 * One request, one transaction, three round trips: the request's first need
 * of its caller opens a transaction with one round trip that
 *
 *   1. becomes nextsaas_auth, the only role that reads credentials,
 *   2. reads the presented credential (a session or an API token) into the
 *      claims — an unknown, expired or revoked one leaves no subject,
 *   3. becomes `authenticated`, so that RLS decides from here on, and
 *   4. reads, as the caller, what the request names: the user, the
 *      credential's own row, the membership in the organization, the
 *      workspace and project, and the caller's organizations.
 *
 * Every withTenant() for the same caller then runs in this transaction, and
 * the HTTP layer commits it before the response goes out. A model call that
 * fails rolls it back, so a change never half-lands; what follows opens
 * transactions of its own. The opening takes no lock: writes about the
 * request itself (a session's idle clock, a token's last use) run after it
 * has ended (afterFinish), so that they never wait on a row it holds.
 */
import type { Logger } from 'pino'
import { z } from 'zod'
import { getConfig } from '~/lib/config.server'
import { hashSecret } from '~/lib/secrets.server'
import { isSlug } from '~/lib/slug'
import { isUuid } from '~/lib/validation'
import { claimsOf, getPool, onPrimary, propagateSettings, readsFromReplica, sql, type Actor, type RequestScope, type Tx } from './db.server'
import { PROJECT_COLUMNS, Project } from './project.server'
import { Membership, membershipQuery, organizationWhere, type OrganizationRef } from './tenant.server'
import { WORKSPACE_COLUMNS, Workspace } from './workspace.server'

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    /** This request's transaction (opened on first need, committed by the HTTP layer). */
    database: RequestTransaction
  }
}

export type ResourceRef = { slug: string } | { id: string }

/**
 * What a request presents: the cookie's or a bearer session token (valid for
 * `lifetimeMs` from sign-in, and `idleMs` from its last use), or a personal
 * access token.
 */
export type Credential = { kind: 'session'; secret: string; lifetimeMs: number; idleMs: number } | { kind: 'token'; secret: string }

/** What the request names, read in the opening round trip. */
export interface RequestRefs {
  organization?: OrganizationRef
  workspace?: ResourceRef
  project?: ResourceRef
  /** The caller's organizations (the page header's switcher). */
  organizations?: boolean
}

/** The same row read back as JSON (row_to_json): timestamps arrive as ISO strings. */
function fromJson<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const dates = Object.keys(schema.shape).filter((key) => schema.shape[key] instanceof z.ZodDate)
  return schema.extend(Object.fromEntries(dates.map((key) => [key, z.coerce.date()]))) as unknown as z.ZodObject<S>
}

const Opening = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), emailVerified: z.boolean() }).nullable(),
  session: z
    .object({ lastSeenAt: z.coerce.date(), expiresAt: z.coerce.date(), userAgent: z.string().nullable(), changedClient: z.string().nullable() })
    .nullable(),
  token: z
    .object({
      id: z.string(),
      lastUsedAt: z.coerce.date().nullable(),
      organizationId: z.string().nullable(),
      permissions: z.array(z.string()).nullable(),
    })
    .nullable(),
  membership: Membership.nullable(),
  organizations: z.array(z.object({ slug: z.string(), name: z.string() })).nullable(),
  workspace: fromJson(Workspace).nullable(),
  project: fromJson(Project).nullable(),
})
export type Opening = z.infer<typeof Opening>

const literal = (value: string) => sql.literalValue(value)

const seconds = (ms: number) => sql.fragment`make_interval(secs => ${literal(String(ms / 1000))}::float8)`

/**
 * The claims statement: as nextsaas_auth, the presented credential, if it is
 * valid, becomes the subject (and a token's scope); one that opens nothing
 * leaves empty claims. Then it becomes `authenticated`. Read-only: what the
 * credential's use should note (request-transaction's afterFinish) is
 * decided from its row, which it keeps in request.credential for the
 * context statement to return.
 */
function claimsStatement(credential: Credential) {
  const { valid, claims, row } = credentialQueries(credential)
  return sql.fragment`select set_config('role', 'nextsaas_auth', true);
    ${valid}
    select set_config('request.jwt.claims', coalesce((${claims}), '{}'), true),
           set_config('request.credential', coalesce((${row}), ''), true);
    select set_config('role', 'authenticated', true)`
}

/** `valid`: the presented credential's row if it opens anything; the claims and the row (as JSON text) read from it. */
function credentialQueries(credential: Credential) {
  const hash = literal(hashSecret(credential.secret))
  if (credential.kind === 'session') {
    return {
      valid: sql.fragment`
      with valid as (
        select user_id, last_seen_at, expires_at, user_agent, changed_client from auth.sessions
        where id = ${hash} and expires_at > now() and created_at > now() - ${seconds(credential.lifetimeMs)}
      )`,
      claims: sql.fragment`select json_build_object('sub', user_id)::text from valid`,
      row: sql.fragment`select json_build_object('lastSeenAt', last_seen_at, 'expiresAt', expires_at, 'userAgent', user_agent,
                                                 'changedClient', changed_client)::text from valid`,
    }
  }
  return {
    valid: sql.fragment`
    with valid as (
      select id, user_id, scope_organization_id, scope_permissions, last_used_at from auth.api_tokens
      where token_hash = ${hash} and revoked_at is null and (expires_at is null or expires_at > now())
    )`,
    claims: sql.fragment`select jsonb_strip_nulls(jsonb_build_object('sub', user_id, 'token_org', scope_organization_id,
                                                                   'token_permissions', to_jsonb(scope_permissions)))::text from valid`,
    row: sql.fragment`select json_build_object('id', id, 'lastUsedAt', last_used_at, 'organizationId', scope_organization_id,
                                               'permissions', scope_permissions)::text from valid`,
  }
}

/** The credential's row as the claims statement found it (for a valid credential only). */
const credentialRow = (credential: Credential) =>
  credential.kind === 'session'
    ? sql.fragment`nullif(current_setting('request.credential', true), '')::json as session, null as token`
    : sql.fragment`null as session, nullif(current_setting('request.credential', true), '')::json as token`

const refWhere = (alias: string, ref: ResourceRef | undefined) => {
  if (!ref) return null
  const column = sql.identifier([alias, 'slug' in ref ? 'slug' : 'id'])
  const value = 'slug' in ref ? ref.slug : ref.id
  return ('slug' in ref ? isSlug(value) : isUuid(value)) ? sql.fragment`${column} = ${literal(value.toLowerCase())}` : null
}

const USER_COLUMNS = sql.fragment`id, email, name, email_verified_at is not null as "emailVerified"`
const SWITCHER = sql.fragment`select coalesce(json_agg(json_build_object('slug', o.slug, 'name', o.name) order by lower(o.name), o.id), '[]')
  from organizations o join organization_members om on om.organization_id = o.id
  where om.user_id = auth.uid() and om.status = 'active'`

/**
 * The opening on Citus: Citus cannot plan the single-server context
 * statement (lateral outer joins over distributed subqueries), so a DO block
 * reads the same things one query at a time — each workspace and project
 * query names its organization, a router query — and leaves them in a
 * transaction-local setting that the statement after it returns. Still one
 * round trip; every value in it is a validated, escaped literal.
 */
function citusOpeningQuery(credential: Credential, refs: RequestRefs) {
  const { valid, claims, row } = credentialQueries(credential)
  const organization = refs.organization ? organizationWhere(refs.organization) : null
  const workspace = organization ? refWhere('w', refs.workspace) : null
  const project = workspace ? refWhere('p', refs.project) : null
  const none = sql.fragment``
  const query = sql.type(Opening)`
    DO $opening$
    #variable_conflict use_column
    DECLARE
      v_claims text;
      v_credential json;
      v_user json;
      v_membership json;
      v_org uuid;
      v_workspace json;
      v_ws uuid;
      v_project json;
      v_organizations json;
    BEGIN
      PERFORM pg_catalog.set_config('role', 'nextsaas_auth', true);
      v_claims := (${valid} ${claims});
      v_credential := (${valid} ${row})::json;
      PERFORM pg_catalog.set_config('role', 'authenticated', true);
      ${propagateSettings};
      EXECUTE pg_catalog.format('SET LOCAL request.jwt.claims = %L', coalesce(v_claims, '{}'));
      v_user := (select row_to_json(u) from (select ${USER_COLUMNS} from auth.users where id = auth.uid()) u);
      ${organization ? sql.fragment`SELECT row_to_json(x), x."organizationId" INTO v_membership, v_org FROM (${membershipQuery(organization)}) x;` : none}
      ${
        workspace
          ? sql.fragment`IF v_org IS NOT NULL THEN
              SELECT row_to_json(x), x.id INTO v_workspace, v_ws
              FROM (select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = v_org and ${workspace}) x;
            END IF;`
          : none
      }
      ${
        project
          ? sql.fragment`IF v_ws IS NOT NULL THEN
              SELECT row_to_json(x) INTO v_project
              FROM (select ${PROJECT_COLUMNS} from projects p where p.organization_id = v_org and p.workspace_id = v_ws and ${project}) x;
            END IF;`
          : none
      }
      ${refs.organizations ? sql.fragment`v_organizations := (${SWITCHER});` : none}
      PERFORM pg_catalog.set_config('request.opening', json_build_object(
        'user', v_user, 'credential', v_credential, 'membership', v_membership, 'workspace', v_workspace,
        'project', v_project, 'organizations', v_organizations)::text, true);
    END
    $opening$;
    select o -> 'user' as user,
           ${credential.kind === 'session' ? sql.fragment`o -> 'credential' as session, null as token` : sql.fragment`null as session, o -> 'credential' as token`},
           o -> 'membership' as membership, o -> 'workspace' as workspace, o -> 'project' as project, o -> 'organizations' as organizations
    from (select current_setting('request.opening')::json as o) as opening`
  if (query.values.length) throw new Error('the opening query must be made of literals')
  return query
}

/** The opening round trip (see the module comment). Every value in it is a validated, escaped literal. */
function openingQuery(credential: Credential, refs: RequestRefs) {
  if (getConfig().DATABASE_CITUS) return citusOpeningQuery(credential, refs)
  const organization = refs.organization ? organizationWhere(refs.organization) : null
  const workspace = organization ? refWhere('w', refs.workspace) : null
  const project = workspace ? refWhere('p', refs.project) : null
  const query = sql.type(Opening)`
    ${claimsStatement(credential)};
    select (select row_to_json(u) from (select ${USER_COLUMNS} from auth.users where id = auth.uid()) u) as user,
           ${credentialRow(credential)},
           m.membership, w.workspace, p.project,
           ${refs.organizations ? sql.fragment`(${SWITCHER})` : sql.fragment`null`} as organizations
    from (select) as request
    left join lateral (select row_to_json(x) as membership, x."organizationId" as organization_id
                       from (${organization ? membershipQuery(organization) : sql.fragment`select null as "organizationId" where false`}) x) m on true
    left join lateral (select row_to_json(x) as workspace, x.id as workspace_id from (
                         select ${WORKSPACE_COLUMNS} from workspaces w
                         where ${workspace ? sql.fragment`w.organization_id = m.organization_id and ${workspace}` : sql.fragment`false`}) x) w on true
    left join lateral (select row_to_json(x) as project from (
                         select ${PROJECT_COLUMNS} from projects p
                         where ${project ? sql.fragment`p.organization_id = m.organization_id and p.workspace_id = w.workspace_id and ${project}` : sql.fragment`false`}) x) p on true`
  // Parameters would send it over the extended protocol, which takes one statement at a time.
  if (query.values.length) throw new Error('the opening query must be made of literals')
  return query
}

/**
 * A request's transaction for one caller. `open()` begins it; `finish()`
 * commits it (the HTTP layer calls it once the route has answered).
 */
export class RequestTransaction implements RequestScope {
  #tx: Tx | null = null
  #caller: Actor | null = null
  #end: { commit(): void; rollback(reason: unknown): void } | null = null
  /** The transaction's end: null when it committed, else why it did not. */
  #settled: Promise<unknown> | null = null
  #rolledBack = false
  #queue: Promise<unknown> = Promise.resolve()
  #afterwards: (() => Promise<unknown>)[] = []

  constructor(private readonly logger: Logger) {}

  /**
   * Opens the transaction and reads what the request names; once per request.
   * The opening is the first thing in the queue, so that nothing — a model
   * call, the commit, a rollback when the client went away — runs beside it
   * on the connection.
   */
  open(credential: Credential, refs: RequestRefs): Promise<Opening> {
    if (this.#settled) throw new Error('the request transaction is already open')
    const opening = this.#open(credential, refs)
    this.#queue = opening.catch(() => {})
    return opening
  }

  async #open(credential: Credential, refs: RequestRefs): Promise<Opening> {
    const pool = await getPool()
    let began: (tx: Tx) => void = () => {}
    let failed: (error: unknown) => void = () => {}
    const ready = new Promise<Tx>((resolve, reject) => ((began = resolve), (failed = reject)))
    this.#settled = pool
      .transaction(async (tx) => {
        began(tx)
        await new Promise<void>((commit, rollback) => (this.#end = { commit, rollback }))
      }, 0)
      .then(
        () => null,
        (error: unknown) => {
          failed(error)
          return error
        },
      )
    const tx = await ready
    try {
      const opening = await tx.one(openingQuery(credential, refs))
      if (opening.user) {
        this.#tx = tx
        const scope = opening.token && { organizationId: opening.token.organizationId, permissions: opening.token.permissions }
        this.#caller = { userId: opening.user.id, ...(scope ? { token: scope } : {}) }
      } else {
        // Nobody to act for: nothing else will run in it.
        await this.#commit()
      }
      return opening
    } catch (error) {
      await this.#rollback(error)
      throw error
    }
  }

  /** Is the transaction open for this actor's claims (the same user, the same token scope)? */
  covers(actor: Actor): boolean {
    return this.#tx !== null && JSON.stringify(claimsOf(actor)) === JSON.stringify(claimsOf(this.#caller!))
  }

  run<T>(fn: (tx: Tx) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    // One statement at a time on the connection: loaders run side by side.
    const result = this.#queue.then(() => (this.#tx ? this.#attempt(this.#tx, fn) : fallback()))
    this.#queue = result.catch(() => {})
    return result
  }

  async #attempt<T>(tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await fn(tx)
    } catch (error) {
      // Whatever the failed call wrote goes with it; later calls open their own transactions.
      await this.#rollback(error)
      throw error
    }
  }

  async #rollback(reason: unknown) {
    this.#tx = null
    this.#rolledBack = true
    this.#end?.rollback(reason)
    this.#end = null
    await this.#settled
  }

  /** Work about the request itself, run once its transaction has ended (finish or abort). */
  afterFinish(task: () => Promise<unknown>) {
    this.#afterwards.push(task)
  }

  /**
   * Failures there fail nothing but themselves: the request has its answer.
   * They write on the primary; a read in a replica region does not wait for
   * them (a round trip to another region), the response goes out first.
   */
  async #runAfterwards() {
    const tasks = this.#afterwards.splice(0)
    if (!tasks.length) return
    const detached = readsFromReplica()
    const done = onPrimary(() => Promise.allSettled(tasks.map((task) => task()))).then((results) => {
      for (const result of results) if (result.status === 'rejected') this.logger.error({ err: result.reason }, 'work after the request failed')
    })
    if (!detached) await done
  }

  /** Rolls back what the request did (the route failed without an answer). */
  async abort(): Promise<void> {
    await this.#queue
    if (this.#end) await this.#rollback(new Error('the request failed'))
    await this.#runAfterwards()
  }

  /** Commits what the request did (a no-op when it opened nothing or was rolled back); throws when COMMIT fails. */
  async finish(): Promise<void> {
    await this.#queue
    const failure = await this.#commit()
    await this.#runAfterwards()
    if (failure && !this.#rolledBack) throw failure
  }

  /** Ends the transaction with COMMIT; resolves to why it failed, if it did. */
  #commit() {
    this.#tx = null
    this.#end?.commit()
    this.#end = null
    return this.#settled
  }
}

/**
 * Slonik's PostgreSQL driver, written for the round-trip budget: node-postgres
 * underneath, the same error classes and type parsers as Slonik's own driver,
 * and two differences that save a round trip per transaction.
 *
 * - A query without parameters goes over the simple protocol, which takes
 *   several statements at once; its answer is the last statement's. The
 *   transaction openings (role, claims and the request's context) are written
 *   so, with literals the app has validated and escaped.
 * - `START TRANSACTION` is not sent on its own: it rides with the next
 *   statement when that one has no parameters (the opening always qualifies),
 *   and is dropped with a `COMMIT`/`ROLLBACK` that follows it directly.
 *
 * Streaming (the audit log's export) reads through a server-side cursor
 * (pg-query-stream), a batch at a time as the reader drains it.
 */
import { Transform } from 'node:stream'
import pg from 'pg'
import QueryStream from 'pg-query-stream'
import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  CheckExclusionConstraintViolationError,
  CheckIntegrityConstraintViolationError,
  createDriverFactory,
  ForeignKeyIntegrityConstraintViolationError,
  IdleTransactionTimeoutError,
  InputSyntaxError,
  InvalidInputError,
  NotNullIntegrityConstraintViolationError,
  StatementCancelledError,
  StatementTimeoutError,
  UniqueIntegrityConstraintViolationError,
  type DriverFactory,
  type DriverTypeParser,
} from 'slonik'

const BEGIN = 'START TRANSACTION'
/** text[]: an array's elements as strings, for the element type's own parser. */
const TEXT_ARRAY = 1009 as Parameters<typeof pg.types.getTypeParser>[0]
const ENDS = new Set(['COMMIT', 'ROLLBACK'])

type PgError = Error & { code?: string }

/** node-postgres errors as the Slonik errors the models catch. */
function wrapError(error: PgError, query: { sql: string; values: readonly unknown[] } | null): Error {
  const message = error.message.toLowerCase()
  if (message.includes('connection terminated unexpectedly')) return new BackendTerminatedUnexpectedlyError(error)
  if (message.includes('connection terminated')) return new BackendTerminatedError(error)
  switch (error.code) {
    case '22P02':
      return new InvalidInputError(error.message)
    case '25P03':
      return new IdleTransactionTimeoutError(error)
    case '57P01':
      return new BackendTerminatedError(error)
    case '57014':
      return error.message.includes('canceling statement due to user request') ? new StatementCancelledError(error) : new StatementTimeoutError(error)
    case '23502':
      return new NotNullIntegrityConstraintViolationError(error as never)
    case '23503':
      return new ForeignKeyIntegrityConstraintViolationError(error as never)
    case '23505':
      return new UniqueIntegrityConstraintViolationError(error as never)
    case '23P01':
      return new CheckExclusionConstraintViolationError(error as never)
    case '23514':
      return new CheckIntegrityConstraintViolationError(error as never)
    case '42601':
      return query ? new InputSyntaxError(error, query as never) : error
    default:
      return error
  }
}

/** The app's type parsers by oid (and their arrays'), read once from pg_type. */
async function typeParserLookup(config: pg.ClientConfig, parsers: readonly DriverTypeParser[]) {
  const client = new pg.Client(config)
  await client.connect()
  const { rows } = await client
    .query<{ oid: number; typarray: number; typname: string }>('select oid, typarray, typname from pg_type where typname = any($1::text[])', [
      parsers.map((p) => p.name),
    ])
    .finally(() => client.end())
  const byOid = new Map<number, (value: string) => unknown>()
  for (const parser of parsers) {
    const type = rows.find((row) => row.typname === parser.name)
    if (!type) throw new Error(`Database type "${parser.name}" not found.`)
    byOid.set(type.oid, parser.parse)
    if (type.typarray) {
      const parseArray = pg.types.getTypeParser(TEXT_ARRAY) as (value: string) => (string | null)[]
      byOid.set(type.typarray, (value) => parseArray(value).map((item) => (item === null ? null : parser.parse(item))))
    }
  }
  return (oid: number) => byOid.get(oid) ?? pg.types.getTypeParser(oid)
}

const timeout = (value: 'DISABLE_TIMEOUT' | number) => (value === 'DISABLE_TIMEOUT' ? undefined : Math.max(1, value))

export function createDriver(): DriverFactory {
  return createDriverFactory(async ({ driverConfiguration }) => {
    const config: pg.ClientConfig = {
      connectionString: driverConfiguration.connectionUri,
      connectionTimeoutMillis: timeout(driverConfiguration.connectionTimeout),
      statement_timeout: timeout(driverConfiguration.statementTimeout),
      idle_in_transaction_session_timeout: timeout(driverConfiguration.idleInTransactionSessionTimeout),
    }
    config.types = { getTypeParser: (await typeParserLookup(config, driverConfiguration.typeParsers)) as never }

    return {
      createPoolClient: async ({ clientEventEmitter }) => {
        const client = new pg.Client(config)
        const onError = (error: Error) => clientEventEmitter.emit('error', wrapError(error, null))
        const onNotice = (notice: { message?: string }) => notice.message && clientEventEmitter.emit('notice', { message: notice.message })
        client.on('error', onError)
        client.on('notice', onNotice)
        /** A START TRANSACTION not sent yet. */
        let pendingBegin = false

        const send = async (sql: string, values: readonly unknown[]) => {
          try {
            const result = (await client.query(sql, values as unknown[])) as pg.QueryResult | pg.QueryResult[]
            return Array.isArray(result) ? result.at(-1)! : result
          } catch (error) {
            throw wrapError(error as PgError, { sql, values })
          }
        }
        const done = (command: string) => ({ command: command as never, fields: [], rowCount: 0, rows: [] })

        return {
          connect: async () => {
            await client.connect()
          },
          end: async () => {
            await client.end()
            client.removeListener('error', onError)
            client.removeListener('notice', onNotice)
          },
          query: async (sql, values = []) => {
            if (sql === BEGIN) {
              pendingBegin = true
              return done('BEGIN')
            }
            if (pendingBegin) {
              pendingBegin = false
              if (ENDS.has(sql)) return done(sql)
              if (values.length === 0) sql = `${BEGIN}; ${sql}`
              else await send(BEGIN, [])
            }
            const result = await send(sql, values)
            return {
              command: result.command as never,
              fields: result.fields.map((field) => ({ dataTypeId: field.dataTypeID, name: field.name })),
              rowCount: result.rowCount,
              rows: result.rows,
            }
          },
          stream: (sql, values = []) => {
            // The client runs its queries in order: a START TRANSACTION still pending goes first.
            if (pendingBegin) {
              pendingBegin = false
              client.query(BEGIN).catch(() => {}) // a failed BEGIN fails the stream's query too, which reports it
            }
            const rows = client.query(new QueryStream(sql, values as unknown[]))
            let fields: { dataTypeId: number; name: string }[] = []
            // rowDescription arrives before the first row (and not at all for a statement that fails).
            ;(client as unknown as { connection: NodeJS.EventEmitter }).connection.once(
              'rowDescription',
              (description: { fields: { dataTypeID: number; name: string }[] }) => {
                fields = description.fields.map((field) => ({ dataTypeId: field.dataTypeID, name: field.name }))
              },
            )
            const withFields = new Transform({
              objectMode: true,
              transform(row, _encoding, callback) {
                callback(null, { fields, row })
              },
            })
            rows.on('error', (error: Error) => withFields.destroy(wrapError(error as PgError, { sql, values })))
            return rows.pipe(withFields)
          },
        }
      },
    }
  })
}

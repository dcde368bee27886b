/**
 * The OpenAPI document flattened for the reference page: operations grouped
 * by tag, with their parameters, body fields and responses in plain words.
 */
import { openApiDocument } from './openapi.server'

interface Schema {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  pattern?: string
  default?: unknown
  description?: string
}

type Content = Record<string, { schema?: Schema }>

interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  security?: unknown[]
  parameters?: { name: string; in: string; required?: boolean; schema: Schema; description?: string }[]
  requestBody?: { content?: Content }
  responses?: Record<string, { description?: string; content?: Content }>
}

interface Field {
  name: string
  type: string
  required: boolean
  notes: string
}

const refName = (ref: string) => ref.split('/').pop()!

function resolve(schema: Schema): Schema {
  const schemas = (openApiDocument().components?.schemas ?? {}) as Record<string, Schema>
  return schema.$ref ? (schemas[refName(schema.$ref)] ?? {}) : schema
}

function typeOf(schema: Schema): string {
  if (schema.$ref) return refName(schema.$ref)
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ')
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items)}[]`
  const type = [schema.type ?? 'any'].flat().join(' | ')
  return schema.format ? `${type} (${schema.format})` : type
}

const characters = (n: number) => `${n} character${n === 1 ? '' : 's'}`

function notesOf(schema: Schema): string {
  const notes = [
    schema.minLength !== undefined && `at least ${characters(schema.minLength)}`,
    schema.maxLength !== undefined && `at most ${characters(schema.maxLength)}`,
    schema.minimum !== undefined && `≥ ${schema.minimum}`,
    schema.maximum !== undefined && `≤ ${schema.maximum}`,
    schema.pattern && `matches ${schema.pattern}`,
    schema.default !== undefined && `default ${JSON.stringify(schema.default)}`,
    schema.description,
  ]
  return notes.filter(Boolean).join('; ')
}

function fieldsOf(schema: Schema): Field[] {
  const object = resolve(schema)
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    type: typeOf(property),
    required: object.required?.includes(name) ?? false,
    notes: notesOf(resolve(property)),
  }))
}

/** The schema inside the success envelope: `data: X` or `data: X[]`. */
function payloadName(schema: Schema | undefined): string | null {
  const data = schema && resolve(schema).properties?.data
  return data ? typeOf(data) : null
}

function describe(method: string, path: string, operation: Operation) {
  const body = operation.requestBody?.content?.['application/json']?.schema
  return {
    method: method.toUpperCase(),
    path,
    anchor: `${method}-${path}`.replace(/\W+/g, '-'),
    summary: operation.summary ?? '',
    description: operation.description ?? '',
    authenticated: (operation.security ?? []).length > 0,
    parameters: (operation.parameters ?? []).map((p) => ({
      name: p.name,
      in: p.in,
      type: typeOf(p.schema),
      required: Boolean(p.required),
      notes: p.description ?? notesOf(p.schema),
    })),
    body: body ? { name: typeOf(body), fields: fieldsOf(body) } : null,
    responses: Object.entries(operation.responses ?? {}).map(([status, response]) => ({
      status,
      description: response.description ?? '',
      schema: status.startsWith('2') ? payloadName(response.content?.['application/json']?.schema) : null,
    })),
  }
}

export function describeOperations() {
  const document = openApiDocument()
  const groups = new Map<string, ReturnType<typeof describe>[]>()
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const tag = operation.tags?.[0] ?? 'Other'
      groups.set(tag, [...(groups.get(tag) ?? []), describe(method, path, operation)])
    }
  }
  return {
    title: document.info.title,
    description: document.info.description ?? '',
    groups: [...groups].map(([tag, operations]) => ({ tag, operations })),
  }
}

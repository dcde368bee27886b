/**
 * The API reference, read from the same OpenAPI document that /api/openapi.json
 * serves. A resource route rendering static HTML (no scripts), so that under
 * /api every other method still gets the API's 405 envelope.
 */
import { renderToStaticMarkup } from 'react-dom/server'
import { describeOperations } from '~/api/reference.server'
import { apiRoute } from '~/api/route.server'
import tailwind from '~/tailwind.css?url'

const { loader, action } = apiRoute({
  async GET() {
    const html = `<!doctype html>${renderToStaticMarkup(<ApiReference reference={describeOperations()} />)}`
    return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300' } })
  },
})

const METHOD_STYLES: Record<string, string> = {
  GET: 'bg-sky-100 text-sky-800',
  POST: 'bg-green-100 text-green-800',
  PUT: 'bg-amber-100 text-amber-800',
  PATCH: 'bg-amber-100 text-amber-800',
  DELETE: 'bg-red-100 text-red-800',
}

type Reference = ReturnType<typeof describeOperations>

/** A standalone page: this route renders outside the app's layout. */
function ApiReference({ reference }: { reference: Reference }) {
  return (
    <html lang="en" className="bg-slate-50">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>API reference · NextSaaS</title>
        <link rel="stylesheet" href={tailwind} />
      </head>
      <body className="text-slate-900">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-5xl items-center px-4 py-3" aria-label="Main">
            <a href="/" className="text-lg font-semibold text-indigo-700">
              NextSaaS
            </a>
          </nav>
        </header>
        <main className="mx-auto max-w-5xl px-4 py-8">
          <Operations {...reference} />
        </main>
      </body>
    </html>
  )
}

function Operations({ title, description, groups }: Reference) {
  return (
    <article className="flex flex-col gap-8">
      <header>
        <h1 className="text-2xl font-semibold">{title}</h1>
        <p className="mt-2 max-w-3xl text-slate-700">
          <WithCode text={description} />
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Machine-readable:{' '}
          <a href="/api/openapi.json" className="text-indigo-700 hover:underline">
            /api/openapi.json
          </a>{' '}
          (OpenAPI 3.1). Authenticate with <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;token&gt;</code>, using a token from{' '}
          <code className="rounded bg-slate-100 px-1">POST /api/auth/login</code> or a{' '}
          <a href="/account/tokens" className="text-indigo-700 hover:underline">
            personal access token
          </a>
          .
        </p>
        <nav aria-label="Sections" className="mt-4 flex flex-wrap gap-3 text-sm">
          {groups.map((group) => (
            <a key={group.tag} href={`#${group.tag.toLowerCase()}`} className="text-indigo-700 hover:underline">
              {group.tag}
            </a>
          ))}
        </nav>
      </header>

      {groups.map((group) => (
        <section key={group.tag} id={group.tag.toLowerCase()} className="flex flex-col gap-4">
          <h2 className="text-xl font-semibold">{group.tag}</h2>
          {group.operations.map((op) => (
            <div key={`${op.method} ${op.path}`} id={op.anchor} className="rounded-lg border border-slate-200 bg-white p-4" data-testid="operation">
              <h3 className="flex flex-wrap items-center gap-2 font-mono text-sm">
                <span className={`rounded px-2 py-0.5 font-semibold ${METHOD_STYLES[op.method] ?? ''}`}>{op.method}</span>
                <span className="break-all">{op.path}</span>
                {op.authenticated ? null : <span className="rounded bg-slate-100 px-2 py-0.5 font-sans text-xs text-slate-600">no token</span>}
              </h3>
              <p className="mt-2 font-medium">{op.summary}</p>
              {op.description ? (
                <p className="mt-1 text-sm text-slate-700">
                  <WithCode text={op.description} />
                </p>
              ) : null}

              {op.parameters.length ? (
                <FieldTable caption="Parameters" rows={op.parameters.map((p) => ({ ...p, name: `${p.name} (${p.in})` }))} />
              ) : null}
              {op.body ? <FieldTable caption={`Body: ${op.body.name} (application/json)`} rows={op.body.fields} /> : null}

              <h4 className="mt-3 text-sm font-medium text-slate-800">Responses</h4>
              <ul className="mt-1 text-sm">
                {op.responses.map((r) => (
                  <li key={r.status} className="flex gap-2">
                    <code className={r.status.startsWith('2') ? 'text-green-700' : 'text-slate-500'}>{r.status}</code>
                    <span className="text-slate-700">
                      {r.description}
                      {r.schema ? <span className="text-slate-500"> — {r.schema}</span> : null}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </article>
  )
}

/** The document's `code` spans (its only markup) as code. */
function WithCode({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, i) =>
        i % 2 ? (
          <code key={i} className="rounded bg-slate-100 px-1 text-sm">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  )
}

function FieldTable({ caption, rows }: { caption: string; rows: { name: string; type: string; required: boolean; notes: string }[] }) {
  return (
    <table className="mt-3 w-full text-left text-sm">
      <caption className="text-left font-medium text-slate-800">{caption}</caption>
      <thead className="text-xs uppercase text-slate-500">
        <tr>
          <th className="py-1 pr-4 font-medium">Name</th>
          <th className="py-1 pr-4 font-medium">Type</th>
          <th className="py-1 font-medium">Rules</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.name}>
            <td className="py-1 pr-4 font-mono">
              {row.name}
              {row.required ? (
                <span className="text-red-700" title="required">
                  *
                </span>
              ) : null}
            </td>
            <td className="py-1 pr-4 font-mono text-slate-700">{row.type}</td>
            <td className="py-1 text-slate-600">{row.notes}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
export { loader, action }

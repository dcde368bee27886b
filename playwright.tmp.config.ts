import base from './playwright.config'
const PORT = 3188
export default {
  ...base,
  outputDir: '/tmp/pw-mine-results',
  use: { ...base.use, baseURL: `http://127.0.0.1:${PORT}` },
  webServer: { ...(base.webServer as object), url: `http://127.0.0.1:${PORT}/healthz`, env: { ...(base.webServer as { env: Record<string, string> }).env, PORT: String(PORT) } },
}

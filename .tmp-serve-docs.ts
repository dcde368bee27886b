import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { createHttpApp } from '~/server/http.server'
import { getConfig } from '~/utils/config.server'
const build = await import(pathToFileURL(path.resolve('build/index.js')).href)
const app = createHttpApp({ build, config: getConfig(), logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) })
app.listen(3999, '127.0.0.1', () => console.log('up'))

import { expect, test } from 'vitest'
import { redactPath, redactStrings, redactText, redactUrl, secretLink } from './paths'

const TOKEN = 'AbC123_-xYz'

test('a secret link’s token is redacted in the path, however it is written', () => {
  expect(redactPath(secretLink('invitation', TOKEN))).toBe('/invitations/[redacted]')
  expect(redactPath(`/reset-password/${TOKEN}/extra`)).toBe('/reset-password/[redacted]/extra')
  expect(redactPath(`/Verify-Email/${TOKEN}`)).toBe('/Verify-Email/[redacted]')
  expect(redactPath(`/invit%61tions/${TOKEN}`)).toBe('/invit%61tions/[redacted]')
  expect(redactPath(`//invitations/${TOKEN}`)).toBe('//invitations/[redacted]')
  expect(redactPath('/invitations/')).toBe('/invitations/')
})

test('named routes beside a secret link and other paths are left alone', () => {
  expect(redactPath('/verify-email/resend')).toBe('/verify-email/resend')
  expect(redactPath('/orgs/acme/members/invite')).toBe('/orgs/acme/members/invite')
})

test('query values: a redirectTo to a secret link, secret parameters, the rest untouched', () => {
  expect(redactUrl(`/login?redirectTo=${encodeURIComponent(`/invitations/${TOKEN}`)}`)).toBe('/login?redirectTo=%2Finvitations%2F%5Bredacted%5D')
  expect(redactUrl(`/x?access_token=${TOKEN}&page=2`)).toBe('/x?access_token=%5Bredacted%5D&page=2')
  expect(redactUrl(`/invitations/${TOKEN}?_data=routes%2Finvitations.%24token#top`)).toBe(
    '/invitations/[redacted]?_data=routes%2Finvitations.%24token',
  )
  expect(redactUrl('/orgs/acme?page=2')).toBe('/orgs/acme?page=2')
  expect(redactUrl(`/x?next=https%3A%2F%2Fapp.test%2Freset-password%2F${TOKEN}`)).not.toContain(TOKEN)
})

test('free text and JSON-like values', () => {
  expect(redactText(`last: 403 GET /invitations/${TOKEN}; and http://h/reset-password/${TOKEN}?x`)).toBe(
    'last: 403 GET /invitations/[redacted]; and http://h/reset-password/[redacted]?x',
  )
  expect(redactText(`%2Fverify-email%2F${TOKEN}`)).toBe('%2Fverify-email%2F[redacted]')
  expect(redactStrings({ endpoint: `GET /invitations/${TOKEN}`, n: 1, list: [`/reset-password/${TOKEN}`] })).toEqual({
    endpoint: 'GET /invitations/[redacted]',
    n: 1,
    list: ['/reset-password/[redacted]'],
  })
})

/** Cross-site scripting: the CRS 941 family. */
import type { Location, Rule } from '../types'

/** `<s c r i p t`: a tag name spelled with spaces between its letters. */
function spacedTags(names: readonly string[]): RegExp {
  const spelled = names.map((name) => name.split('').join(String.raw`\s{1,3}`))
  return new RegExp(String.raw`<\s{0,3}(?:${spelled.join('|')})\b`, 'i')
}

/** A path segment is never evaluated as script: DOM names there are file names. */
const NOT_PATH: readonly Location[] = ['query', 'body', 'cookie', 'header']

export const XSS: readonly Rule[] = [
  {
    id: 'xss-script-tag',
    type: 'XSS_ATTEMPT',
    severity: 'CRITICAL',
    description: 'A <script> element, with or without a namespace prefix',
    pattern: /<\s{0,8}(?:\/\s{0,8})?(?:[a-z0-9_-]{1,20}\s{0,3}:\s{0,3})?script\b/i,
    examples: {
      attack: ['<script>alert(1)</script>', '</script>', '<x:script src=x>', '< y: script'],
      benign: ['The script for the video', 'a <b> tag'],
    },
  },
  {
    id: 'xss-spaced-tag',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Dangerous tag names spelled with spaces (<s c r i p t)',
    pattern: spacedTags(['script', 'form', 'dialog', 'iframe', 'object', 'embed', 'svg', 'img', 'style', 'meta', 'link', 'base']),
    examples: { attack: ['<f o r m', '<s c r i p t>', '< i m g'], benign: ['<a b c>', 'form a team'] },
  },
  {
    id: 'xss-dangerous-tag',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Elements that load or run content: iframe, object, embed, applet, meta, svg, style…',
    pattern:
      /<\s{0,8}(?:[a-z0-9_-]{0,20}:)?(?:iframe|frame|frameset|object|embed|applet|meta|vmlframe|isindex|xss|svg|math|style|bgsound|layer|ilayer|xml)\b|<\??\s{0,3}import|<\s{0,8}(?:link|base)\b[^<>]{0,100}\bhref\b/i,
    examples: {
      attack: ['<iframe src=//x>', '<svg/onload=1>', '<meta charset="utf-7">', '<?import x', '<link rel=x href=y>', '<BASE HREF=//evil>'],
      benign: ['The <head> element goes before <body>.', 'Paste the <link> here', 'Keyboard: <kbd>Ctrl</kbd>'],
    },
  },
  {
    id: 'xss-event-handler',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'An on…= event-handler attribute',
    pattern:
      /(?:^|[\s"'\x60;,(+])on(?!(?:ions?|line|going|board|boarding|set|wards?|site|stage|shore|call|screen)\b)[a-z]{3,40}\s{0,8}=|<[a-z][\w:-]{0,20}\/on[a-z]{3,40}\s{0,8}=/i,
    examples: {
      attack: ['<img src=x onerror=alert(1)>', '" onmouseover="x()', ' onbeforeanything=1', '<svg/onload=x>', 'a;onfocus=y'],
      benign: ['onions = 2 cups', 'base64/onafe=', 'abc9onload=x'],
    },
  },
  {
    id: 'xss-script-uri',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'javascript:, vbscript: and livescript: URLs, also with tabs or newlines inside',
    pattern:
      /(?:j[\t\n\r]{0,4}a[\t\n\r]{0,4}v[\t\n\r]{0,4}a|v[\t\n\r]{0,4}b|l[\t\n\r]{0,4}i[\t\n\r]{0,4}v[\t\n\r]{0,4}e)[\t\n\r]{0,4}s[\t\n\r]{0,4}c[\t\n\r]{0,4}r[\t\n\r]{0,4}i[\t\n\r]{0,4}p[\t\n\r]{0,4}t[\t\n\r]{0,4}:(?!\s{0,8}[a-z]{2,40}\s{1,8}[a-z])/i,
    examples: {
      attack: ['javascript:alert(1)', 'java\tscript:x', 'vbscript:MsgBox 1', 'javascript: '],
      benign: ['JavaScript: The Good Parts', 'I like javascript a lot'],
    },
  },
  {
    id: 'xss-css-script',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Script in CSS: url(javascript:…), -moz-binding, behavior, @import of remote sheets',
    pattern:
      /\burl\s{0,8}\(\s{0,8}(?:['"]\s{0,8})?(?:java|vb)script|-moz-binding\s{0,8}:|\bbehavior\s{0,8}:\s{0,8}url|@import\s{0,8}(?:url\s{0,3}\(\s{0,3})?(?:['"]\s{0,8})?(?:https?:|\/\/|javascript)/i,
    examples: {
      attack: ['background:url(javascript:x)', 'URL( "javascript', '-moz-binding:url(x.xml)', "@import 'http://e/x.css'"],
      benign: ['background:url(http://example.com/x)', 'url (see docs)'],
    },
  },
  {
    id: 'xss-css-expression',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'Legacy CSS expression()',
    pattern: /\bexpression\(/i,
    examples: { attack: ['width:expression(alert(1))'], benign: ['an expression (of interest)'] },
  },
  {
    id: 'xss-dom-sink',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Reading cookies or moving the page: document.cookie, window.location, self["…"]',
    locations: NOT_PATH,
    pattern:
      /\b(?:document|window|self|top|parent|frames|globalthis|opener)\s{0,8}\)?\s{0,8}(?:\.\s{0,8}(?:cookie|domain|location|write|writeln)\b|\[\s{0,8}['"\x60](?:cookie|domain|location|alert|eval|write|\$|\\x[0-9a-f]{2}|\\u))/i,
    examples: {
      attack: ['document.cookie', 'window . location', "(document)['cookie']", 'self["alert"](1)', 'top["\\x61"]'],
      benign: ['the document cookie policy', 'window location map'],
    },
  },
  {
    id: 'xss-dom-api',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'DOM APIs that build or query the page',
    locations: NOT_PATH,
    pattern:
      /\b(?:document|window|self)\s{0,8}\.\s{0,8}(?:createelement|body|head|documentelement|queryselector(?:all)?|getelementbyid|getelementsby\w{1,20}|forms|images|scripts|referrer|url|localstorage|sessionstorage|execcommand|open|eval|alert)\b/i,
    examples: { attack: ['document.querySelector("p")', 'document.body.appendChild(x)'], benign: ['the document body text'] },
  },
  {
    id: 'xss-js-call',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'alert(), prompt(), confirm() and eval() calls, also as tagged templates',
    pattern: /\b(?:alert|prompt|confirm|eval)(?:\(|\x60)/i,
    examples: { attack: ['alert(1)', 'prompt`x`', "eval('1+1')"], benign: ['Alert: the office is closed', 'please confirm (by Friday)'] },
  },
  {
    id: 'xss-js-function',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'JavaScript functions that evaluate strings or decode payloads',
    pattern:
      /\b(?:settimeout|setinterval|execscript|atob|btoa|fromcharcode)\s{0,3}\(|\bnew\s{1,8}function\s{0,3}\(|\bimport\s{0,8}\{[^{}]{0,100}\}\s{0,8}from\s{0,8}['"]|\bimport\s{0,3}\(\s{0,3}['"\x60]/i,
    examples: {
      attack: ['setTimeout(x, 1)', 'new Function()', 'import { a } from "./b.js"', 'String.fromCharCode(60)'],
      benign: ['import the data from last quarter', 'a new function for the team'],
    },
  },
  {
    id: 'xss-js-gadget',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Script gadgets: tagged-template calls, constructor chains, JSFuck',
    pattern:
      /\.\s{0,8}(?:call|apply|bind)\s{0,8}\x60|\$\{\s{0,8}(?:alert|eval|prompt|confirm|navigation)\b|\bconstructor\s{0,3}\.\s{0,3}constructor\b|!\s{0,3}!\s{0,3}\[\s{0,3}\]|\(\s{0,3}!\s{0,3}\[\s{0,3}\]|\[\s{0,3}\]\s{0,3}\[\s{0,3}\(|\breflect\s{0,3}\.\s{0,3}\w{1,20}\s{0,3}\.\s{0,3}call\b/i,
    examples: {
      attack: ['[].map.call`${eval}x`', '{{constructor.constructor("x")()}}', '!![]', '(![]+[])[1]', 'Reflect.apply.call``'],
      benign: ['- [ ] Review spec', '![screenshot](https://x/y.png)', 'we call `npm ci`'],
    },
  },
  {
    id: 'xss-xml-entity',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'XML external entities and XInclude (XXE)',
    pattern:
      /<!\s{0,3}(?:entity\b|doctype\s{1,8}[\w:-]{1,64}\s{0,8}\[)|!entity\s{1,8}(?:%\s{0,8})?[\w-]{1,64}\s{1,8}(?:system|public)\b|\bxi:include\b/i,
    examples: {
      attack: ['<!DOCTYPE r [<!ENTITY x SYSTEM "http://e">]>', 'a!ENTITY % b SYSTEM', '<xi:include href="x"/>'],
      benign: ['<?xml version="1.0"?><note/>', '<!-- draft -->'],
    },
  },
  {
    id: 'xss-xml-namespace',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'XML namespace and schema declarations pointing at remote documents',
    pattern: /\bxmlns(?::[\w-]{1,30})?\s{0,3}=\s{0,3}["']?\s{0,3}(?:https?:)?\/\/|\bxsi:schemalocation\s{0,3}=/i,
    examples: { attack: ['<a xmlns="http://x/">', 'xsi:schemaLocation="x y"'], benign: ['xmlns is an attribute'] },
  },
  {
    id: 'xss-attribute',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Attributes that run or submit content: formaction, srcdoc, src/href data: URLs',
    pattern:
      /\b(?:formaction|srcdoc)\s{0,3}=|\b(?:src|href|data|action)\s{0,3}=\s{0,3}['"]?\s{0,3}data\s{0,3}:|\bdata\s{0,3}:\s{0,8}(?:text\/html|image\/svg\+xml|(?:application|text)\/(?:x-)?javascript)/i,
    examples: {
      attack: ["'formaction=x", '<iframe srcdoc="x">', 'src="data:,x"', 'data:text/html;base64,PHM+'],
      benign: ['the form action is POST', 'data: a list'],
    },
  },
  {
    id: 'xss-data-uri',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'Inline data: URLs',
    pattern: /\bdata\s{0,3}:\s{0,8}(?:[a-z]{1,20}\/[\w.+-]{1,64}\s{0,8})?(?:;\s{0,8}(?:base64|charset=[\w-]{1,20})\s{0,8})?,/i,
    examples: { attack: ['data:,x', ' data: , <x>', 'data:image/png;base64,AAA'], benign: ['Data: 1,2,3', 'data: we collected it'] },
  },
  {
    id: 'xss-html-tag',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'Any HTML element with attributes',
    pattern: /<[a-z][a-z0-9:-]{0,20}[\s/][^<>=]{0,120}=/i,
    examples: {
      attack: ['<a href="x">', '<input pattern="^x$">', '<p style="x">'],
      benign: ['Results: <none>', 'Email me at <ana@example.com>', 'x < y and y > z'],
    },
  },
  {
    id: 'xss-tag-breakout',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'Closing an attribute and opening a new tag ("><)',
    pattern: /['"]\s{0,3}>\s{0,3}<\s{0,3}[a-z/!]/i,
    examples: { attack: ['"><img', "'></a><b"], benign: ['"hi" > "ho"'] },
  },
  {
    id: 'xss-server-side-include',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Server-side include directives (<!--#exec)',
    pattern: /<!--\s{0,3}#\s{0,3}(?:exec|include|echo|set|config|printenv|fsize|flastmod)\b/i,
    examples: { attack: ['<!--#exec cmd="id"-->', '<!--#set var="a" value="b"-->'], benign: ['<!-- draft: do not publish -->'] },
  },
  {
    id: 'xss-utf7',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'UTF-7 encoded angle brackets (+ADw-)',
    pattern: /\+ad[w4]-/i,
    examples: { attack: ['+ADw-script+AD4-'], benign: ['A+ Tutoring', 'ADW-2024'] },
  },
]

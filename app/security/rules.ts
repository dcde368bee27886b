import type { Location, Severity, ThreatType } from './types'

/**
 * The detection rules, in the spirit of OWASP CRS 930/932/941/942 but written
 * for this app. Every pattern must stay linear-time on any input, because the
 * JavaScript engine backtracks:
 *
 * - each pattern starts with a literal or a small character class;
 * - every repetition is bounded (`{0,8}`, never `*` or `+`), and two adjacent
 *   repetitions never range over the same characters unless a bound keeps the
 *   product small;
 * - no capturing groups (the scanner numbers rules by group) and no
 *   backreferences.
 *
 * `app/security/rules.test.ts` proves this on 100 KB of repeated prefixes of
 * every example, and checks each example against its rule.
 */
export interface Rule {
  id: string
  type: ThreatType
  severity: Severity
  description: string
  pattern: RegExp
  /** Only these locations (default: every value, name and the path). */
  locations?: readonly Location[]
  /** Handwritten inputs the rule must flag, and look-alikes it must leave alone. */
  examples: { attack: readonly string[]; benign: readonly string[] }
}

/** SQL-ish separators: whitespace, parentheses, quotes, plus and comment starts. */
const SEP = String.raw`[\s()\x60'"+#\x0b-]`
const QUOTE = String.raw`['"\x60]`

/** `<s c r i p t`: a tag name spelled with spaces between its letters. */
function spacedTags(names: readonly string[]): RegExp {
  const spelled = names.map((name) => name.split('').join(String.raw`\s{1,3}`))
  return new RegExp(String.raw`<\s{0,3}(?:${spelled.join('|')})\b`, 'i')
}

/** A path segment is never evaluated as script: DOM names there are file names. */
const NOT_PATH: readonly Location[] = ['query', 'body', 'cookie', 'header']

const SQL: Rule[] = [
  {
    id: 'sqli-union-select',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'UNION SELECT: appending a query of the attacker’s choice',
    pattern: new RegExp(
      String.raw`\bunion${SEP}{1,12}(?:(?:all|distinct|distinctrow)${SEP}{1,12})?select\b|union(?:all|distinct)?select`,
      'i',
    ),
    examples: {
      attack: ['0 UNION SELECT username, password FROM users', "x' union all select null,null--", '1)union(select(1))', 'aunionselectb'],
      benign: ['the union selected a new representative', 'Union Square office', 'reunion selection committee'],
    },
  },
  {
    id: 'sqli-tautology-quoted',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A closing quote, a boolean operator and a comparison: always-true conditions',
    pattern: new RegExp(
      String.raw`${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?(?:\b(?:or|and|xor|div)\b|\|\||&&)\s{0,8}\(?[\w'"\x60.+-]{1,30}\s{0,8}(?:=|!=|<>|<=>|>=|<=|<(?![a-z/!])|>|\b(?:r?like|regexp|sounds\s{1,3}like)\b)`,
      'i',
    ),
    examples: {
      attack: ["abc' OR 'a'='a", 'x" or "7"="7', "nobody' and 10=11", "1') or (2>1", "z' || 5<9"],
      benign: ["I'd pick 'A' or 'B' for the plan", "the 'or' and 'and' in the filter", "parents' or yours?"],
    },
  },
  {
    id: 'sqli-tautology-numeric',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'OR/AND followed by a numeric comparison (1 OR 1=1)',
    pattern: /\b(?:or|and|xor|\|\||&&)\s{1,8}(?:\(\s{0,8})?-?\d{1,12}\s{0,8}(?:=|<>|!=|>=|<=|<|>)\s{0,8}(?:\(\s{0,8})?-?\d/i,
    examples: {
      attack: ['77 OR 2=2', '5 and 8>3', 'id AND (3=3'],
      benign: ['1 or 2 people can join', 'and 7 oranges', 'call 555 or 556'],
    },
  },
  {
    id: 'sqli-quoted-boolean-end',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A closing quote, OR/AND and a constant ending the statement',
    pattern: new RegExp(
      String.raw`${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?\b(?:or|and)\s{1,8}(?:not\s{1,8})?(?:true|false|null|\d{1,12})\s{0,8}(?:--|#|/\*|;|$)`,
      'i',
    ),
    examples: { attack: ["admin' or 1--", "x' OR true#", "q') and not null;"], benign: ["it's 'yes' or 2 maybe", "'90s or 2000s"] },
  },
  {
    id: 'sqli-quoted-comparison',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: "Two quoted constants compared ('a'='a')",
    pattern: new RegExp(String.raw`${QUOTE}[\w ]{0,20}${QUOTE}\s{0,8}(?:!=|<>|<=>|=)\s{0,8}${QUOTE}`, 'i'),
    examples: { attack: ["'k'='k", "x' or 'ab' != 'cd", '"p"<>"q'], benign: ['<a title="x" href="y">', 'She said "hello" and left.'] },
  },
  {
    id: 'sqli-quote-comment',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A closing quote followed by a comment that cuts off the rest of the query',
    pattern: new RegExp(String.raw`${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?(?:--[\s+-]{0,8}$|#\s{0,8}$|/\*)`, 'i'),
    examples: { attack: ["admin'--", "root')-- -", "guest'#", "bob'/* skip */"], benign: ["It's 'fine' -- really", "'#hashtag' campaigns", 'item "A"--B'] },
  },
  {
    id: 'sqli-quote-terminator',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'A value that ends by closing a quote and the statement',
    pattern: new RegExp(String.raw`${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?;\s{0,8}$`, 'i'),
    examples: { attack: ["someone@example.org';", 'user@example.org" ;'], benign: ['"quoted"; separated; list', "'a';'b';'c'"] },
  },
  {
    id: 'sqli-quote-statement',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A closing quote, a semicolon or parenthesis, and a new statement',
    pattern: new RegExp(
      String.raw`${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?;\s{0,8}(?:select|insert|update|delete|drop|create|alter|truncate|exec|execute|declare|shutdown|waitfor|begin|grant|revoke|replace|sleep|benchmark|if|set\s{1,8}@)\b|${QUOTE}\s{0,8}\){1,4}\s{0,8}(?:(?:union|select|order|group|having|waitfor)\b|(?:and|or)\s{0,8}(?:\(|\d|(?:not|sleep|select|exists)\b)|;)`,
      'i',
    ),
    examples: {
      attack: ["x';DROP TABLE t", "y'); select 1", "z') union select 2", "q\")and(1)"],
      benign: ["Press 'Save'; then close", "(see 'Pricing') for details", "(choose 'A') then"],
    },
  },
  {
    id: 'sqli-subquery',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A parenthesised SELECT: a subquery inside a value',
    pattern: /\(\s{0,8}select\s{0,8}(?:\*|\(|@@|\d|[\w.\x60"[\]]{1,64}\s{0,8}(?:,|\(|from\b))/i,
    examples: {
      attack: ['(select count(*) from users)', "1 and (select*from(select(1))a)", '(SELECT pass FROM admins)'],
      benign: ['(select all that apply)', '(Select the plan first)'],
    },
  },
  {
    id: 'sqli-select-call',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'SELECT followed by a function call',
    pattern: /\bselect\(|\bselect\s{0,8}(?:[a-z_]{1,30}\(|(?:sleep|benchmark|char|chr|concat|if|iif|case|count|load_file|group_concat|pg_sleep|version|user|database|ascii|substring|md5)\s{1,8}\()/i,
    examples: { attack: ['SELECT version()', 'select if(1,2,3)', 'sElEcT sleep (2)', 'select(user())'], benign: ['select one (or more) options', 'Select Comfort Sleep Co.'] },
  },
  {
    id: 'sqli-select-from',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'The shape of a SELECT … FROM statement',
    pattern: /\bselect\s{1,8}(?:\*|@@|distinct\b|top\s{1,8}\d)|\bselect\s{1,8}[\w.\x60"[\]]{1,64}\s{0,8}(?:,\s{0,8}[\w.\x60"[\]]{1,64}\s{0,8}){0,8}from\s{1,8}[\w.\x60"[\]]{1,64}\s{0,8}(?:where|limit|order|group|union|;|\)|$)/i,
    examples: {
      attack: ['SELECT * FROM accounts', 'select name, email from members where 1', 'SELECT DISTINCT a'],
      benign: ['select one from the list below', 'Please select the best plan for your team'],
    },
  },
  {
    id: 'sqli-time-delay',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'Time-based blind injection: SLEEP / BENCHMARK / PG_SLEEP / WAITFOR',
    pattern: /\b(?:sleep|benchmark)(?:\(|\s{1,8}\(\s{0,8}(?:['"(@]|[a-z_]{1,20}\(|-?\d{1,12}(?:\.\d{1,12})?\s{0,8}(?:[-+*/%^),]|div\b|mod\b)))|\bpg_sleep\b|\bwaitfor\s{1,8}(?:delay|time)\b/i,
    examples: {
      attack: ['sleep(7)', "' and SLEEP (3*2)", 'BENCHMARK(500000,sha1(1))', 'select pg_sleep', "'; waitfor delay '0:0:9'--"],
      benign: ['get enough sleep (8 hours a night)', 'Sleep on it', 'Wait for it... waitfor it... done!', 'Benchmark results: 2x faster'],
    },
  },
  {
    id: 'sqli-mssql-exec',
    type: 'SQL_INJECTION',
    severity: 'CRITICAL',
    description: 'SQL Server procedures and dynamic SQL used to run commands',
    pattern: /\b(?:xp_cmdshell|xp_dirtree|xp_regread|xp_fileexist|sp_oacreate|sp_execute(?:sql)?|sp_makewebtask|openrowset|opendatasource)\b|\bexec(?:ute)?\s{0,8}(?:\(\s{0,8})?(?:master\s{0,3}\.|@|xp_|sp_)|\bexecute\s{1,8}immediate\b|\bdeclare\s{0,8}@\w/i,
    examples: { attack: ['; exec xp_cmdshell', 'EXEC master..xp_dirtree', 'exec(@q)', 'declare @v varchar(9)', 'EXECUTE IMMEDIATE q'], benign: ['exec summary goes on page 1', 'Execute the plan in three phases'] },
  },
  {
    id: 'sqli-metadata',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'Database catalog names: mapping the schema',
    pattern: /\b(?:information_schema|pg_catalog|pg_shadow|pg_authid|sqlite_master|sysobjects|syscolumns|msysaccessobjects|mysql\.(?:db|user)|all_tab_columns)\b|@@(?:version|datadir|hostname|basedir)\b/i,
    examples: { attack: ['from information_schema.tables', 'pg_catalog', 'MSysAccessObjects', '@@version'], benign: ['information about the schema', 'catalog of postgres tips'] },
  },
  {
    id: 'sqli-system-database',
    type: 'SQL_INJECTION',
    severity: 'LOW',
    description: 'Names of system and sample databases and catalog columns',
    pattern: /\b(?:tempdb|msdb|northwind|schema_name|table_name|column_name)\b/i,
    examples: { attack: ['tempdb', 'SCHEMA_NAME', 'Northwind'], benign: ['the name of the table', 'north wind'] },
  },
  {
    id: 'sqli-exploit-function',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'SQL functions used almost only by exploits (file access, XML errors, out-of-band)',
    pattern: /\b(?:extractvalue|updatexml|xmltype|load_file|name_const|sqlite_compileoption_(?:used|get)|make_set|lo_import|lo_export|lo_get|pg_read_file|pg_ls_dir|dbms_pipe\.\w{1,20}|utl_http\.\w{1,20}|utl_inaddr\.\w{1,20}|geometrycollection|multipoint|polygon)\s{0,3}\(/i,
    examples: { attack: ['extractvalue(1,concat(0x7e,user()))', 'load_file (0x2f)', 'lo_get(1)'], benign: ['load the file from disk', 'update the XML'] },
  },
  {
    id: 'sqli-function',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Calls to SQL functions that attackers use to extract or compare data',
    pattern: /\b(?:group_concat|concat_ws|concat|find_in_set|json_extract|jsonb_pretty|json_build_object|string_to_array|starts_with|unistr|iif|ifnull|isnull|nullif|coalesce|substring|substr|unhex|strcmp|sysdate|current_user|session_user|system_user|db_name|benchmark|compress|uncompress|instr|locate|md5|sha1)\s{0,3}\(|\b(?:database|user|version|schema|char|chr|nchar|ascii|ord|hex|mid|elt|rand|pow|cos|sin|trim|rtrim|ltrim|decode|encode|insert|left|right|convert|cast|floor|exp|div|field|len)\((?!s\))/i,
    examples: { attack: ['concat(a,b)', 'SUBSTRING (x,1,1)', 'md5(1)', 'user()', 'hex(name)'], benign: ['Left (WA, RR) to the farm', 'convert (0.46 miles)', 'check the field(s) below', 'appUser(site)'] },
  },
  {
    id: 'sqli-pg-cast',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'PostgreSQL casts, used to force errors that leak data',
    pattern: /::\s{0,3}(?:int[248]?|integer|bigint|smallint|numeric|decimal|real|float[48]?|double\s{1,3}precision|text|varchar|char|bool|boolean|jsonb?|regclass|oid|bytea|xml|inet|uuid)\b/i,
    examples: { attack: ['secret::int', "(x)::jsonb", 'f(1)::double precision'], benign: ['std::string name', 'Foo::Bar.new'] },
  },
  {
    id: 'sqli-json-operator',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A quoted JSON literal compared with PostgreSQL/MySQL JSON operators',
    pattern: /'\s{0,3}[{[][^']{0,200}[}\]]\s{0,3}'\s{0,8}(?:::\s{0,3}jsonb?\s{0,8})?(?:->>?|#>>?|#-|@>|<@|\?[|&]?|@[?@]|[<>=-]|\|\||::)/i,
    examples: { attack: [`'{"k":1}'::jsonb @> '{}'`, `'[3,4]' ? '3'`, `'{"a":{"b":1}}' #>> '{a,b}'`], benign: [`{"theme":"dark","pageSize":50}`, `it's {fine} - really`] },
  },
  {
    id: 'sqli-nosql-operator',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'MongoDB query operators in a parameter name or JSON key',
    pattern: /\[\s{0,3}\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|nor|or|and|elemmatch|text|expr|size|type|all|mod|jsonschema)\s{0,3}\]|^\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|nor|or|and|elemmatch|text|expr|size|type|all|mod|jsonschema)$/i,
    examples: { attack: ['user[$ne]', '$where', '[$gt]zzz'], benign: ['$existingUser', '$5 each', 'price[usd]'] },
  },
  {
    id: 'sqli-inline-comment',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'MySQL executable comments hiding keywords (/*!50000select*/)',
    pattern: /\/\*!\s{0,3}(?:\d|select|union|from|and|or|where|insert|update)/i,
    examples: { attack: ['/*!50000select*/', '1 /*!or*/ 1'], benign: ['/* a normal comment */', 'wow /*! nice'] },
  },
  {
    id: 'sqli-optimizer-hint',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Optimizer-hint comments used to smuggle SQL',
    pattern: /\/\*\s{0,3}\+/i,
    examples: { attack: ['1 or /*+ hint */ 1'], benign: ['a /* b */ c'] },
  },
  {
    id: 'sqli-conditional',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'CASE WHEN … THEN and IF(x= conditionals',
    pattern: /\bcase\s{1,8}when\b[^;]{0,60}\bthen\b|\bif\s{0,3}\(\s{0,8}[\w'"@.()]{1,20}\s{0,8}(?:=|<|>|!=)/i,
    examples: { attack: ['case when 1=1 then 2 else 3 end', 'if(9=', 'IF(now()=sysdate()'], benign: ['just in case (abc)', 'if (you want) we can talk'] },
  },
  {
    id: 'sqli-aggregate-probe',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'HAVING / GROUP BY / ORDER BY probes',
    pattern: new RegExp(
      String.raw`\bhaving\s{1,8}(?:count|sum|min|max|avg|length|ascii)\s{0,3}\(|\bgroup\s{1,8}by\b[^;]{0,60}\bhaving\b|${QUOTE}\s{0,8}(?:\){1,4}\s{0,8})?(?:order|group)\s{1,8}by\s{1,8}\d`,
      'i',
    ),
    examples: { attack: ['x having count(id) > 1', 'group by a having 1', "q' order by 3--"], benign: ['having fun', 'order by price, then by rating'] },
  },
  {
    id: 'sqli-like-probe',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Parenthesised LIKE/REGEXP comparisons',
    pattern: /\)\s{0,8}(?:r?like|regexp)\s{0,8}\(/i,
    examples: { attack: [') like (', ')RLIKE('], benign: ['(yes) like it or not'] },
  },
  {
    id: 'sqli-stacked-query',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A semicolon and a second statement that changes data or schema',
    pattern: /;\s{0,8}(?:(?:drop|truncate|alter|create)\s{1,8}(?:table|database|schema|function|procedure|trigger|view|index|user)\b|(?:insert|replace)\s{1,8}(?:into\b|[\w\x60"]{1,64}\s{0,8}\()|delete\s{1,8}from\b|update\s{1,8}[\w\x60".]{1,64}\s{1,8}set\b|(?:exec|execute|declare|shutdown|truncate)\b|select\s{1,8}(?:\*|@@|\w{1,64}\s{0,3}[(,])|(?:sleep|benchmark|pg_sleep)\s{0,3}\()/i,
    examples: { attack: ['1; DROP TABLE users', ';insert into t values (1)', ';truncate[x', '; select name, 1', ';replace t (a) values (1)'], benign: ['hello; time he came', ';insertion_123', 'Tue to Wed; sorry!'] },
  },
  {
    id: 'sqli-statement',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'The shape of a data-changing or schema statement',
    pattern: /\b(?:create|alter)\s{1,8}(?:temporary\s{1,8})?(?:table|function|procedure|trigger)\s{1,8}[\w\x60"[]|\binsert\s{1,8}into\s{1,8}[\w\x60".[\]]{1,64}\s{0,8}(?:\(|values\b|select\b)|\bdelete\s{1,8}from\s{1,8}[\w\x60".]{1,64}\s{0,8}(?:where\b|;|$)|\bupdate\s{1,8}[\w\x60".]{1,64}\s{1,8}set\s{1,8}[\w\x60".]{1,64}\s{0,3}=|\binto\s{1,8}(?:out|dump)file\b|\bprocedure\s{1,8}analyse\b/i,
    examples: { attack: ['CREATE TABLE t (a int)', 'ALTER TABLE `x` ADD y', 'insert into log values(1)', "into outfile '/tmp/x'", 'procedure analyse()'], benign: ['Can you create a table of contents?', 'insert a page break before chapter 2', 'update the order and delete the duplicate'] },
  },
  {
    id: 'sqli-alias',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Quoted identifiers with AS / FROM / REGEXP, as in hand-written SELECT lists',
    pattern: /\x60\s{0,8}as\s{1,8}\x60|\bas\s{0,8}["\x60][^"\x60]{0,64}["\x60]\s{0,8}from\b|\d\s{1,8}as\s{0,8}["\x60]\s{0,8}from\b|\x60\s{0,8}(?:regexp|rlike)\b/i,
    examples: { attack: ['` AS `uid` FROM', '1 as "x" from t', '` REGEXP '], benign: ['known as "the boss" at work', 'Use `npm install` and then `npm run dev`.'] },
  },
  {
    id: 'sqli-char-encoding',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Strings built from character codes or long hex literals',
    pattern: /\b(?:char|chr|nchar)\s{0,3}\(\s{0,3}\d{1,3}\s{0,3}[,)+]|[(,=]\s{0,3}0x[0-9a-f]{4,}/i,
    examples: { attack: ['CHAR(65)', 'concat(0x7e3a41,1)'], benign: ['color 0x1F', 'char (the fish)'] },
  },
  {
    id: 'sqli-scientific-notation',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'MySQL scientific-notation bypass (1.e(…), 1.e.table)',
    pattern: /(?:^|[\s(,'"=])\d{1,10}\.e\s{0,3}(?:\(|\.[a-z_]{2,})/i,
    examples: { attack: ['1.e(ascii x)', '1.e.columns'], benign: ['see 2.e.g. here', 'version 1.e5'] },
  },
  {
    id: 'sqli-magic-number',
    type: 'SQL_INJECTION',
    severity: 'LOW',
    description: 'Numbers used to probe integer overflows and float parsing bugs',
    pattern: /\b(?:4294967296|4294967295|9223372036854775808|2\.2250738585072011e-308)\b/i,
    examples: { attack: ['4294967296'], benign: ['42949672'] },
  },
]

const XSS: Rule[] = [
  {
    id: 'xss-script-tag',
    type: 'XSS_ATTEMPT',
    severity: 'CRITICAL',
    description: 'A <script> element, with or without a namespace prefix',
    pattern: /<\s{0,8}(?:\/\s{0,8})?(?:[a-z0-9_-]{1,20}\s{0,3}:\s{0,3})?script\b/i,
    examples: { attack: ['<script>alert(1)</script>', '</script>', '<x:script src=x>', '< y: script'], benign: ['The script for the video', 'a <b> tag'] },
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
    pattern: /<\s{0,8}(?:[a-z0-9_-]{0,20}:)?(?:iframe|frame|frameset|object|embed|applet|meta|vmlframe|isindex|xss|svg|math|style|bgsound|layer|ilayer|xml)\b|<\??\s{0,3}import|<\s{0,8}(?:link|base)\b[^<>]{0,100}\bhref\b/i,
    examples: { attack: ['<iframe src=//x>', '<svg/onload=1>', '<meta charset="utf-7">', '<?import x', '<link rel=x href=y>', '<BASE HREF=//evil>'], benign: ['The <head> element goes before <body>.', 'Paste the <link> here', 'Keyboard: <kbd>Ctrl</kbd>'] },
  },
  {
    id: 'xss-event-handler',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'An on…= event-handler attribute',
    pattern: /(?:^|[\s"'\x60;,(+])on(?!(?:ions?|line|going|board|boarding|set|wards?|site|stage|shore|call|screen)\b)[a-z]{3,40}\s{0,8}=|<[a-z][\w:-]{0,20}\/on[a-z]{3,40}\s{0,8}=/i,
    examples: { attack: ['<img src=x onerror=alert(1)>', '" onmouseover="x()', ' onbeforeanything=1', '<svg/onload=x>', 'a;onfocus=y'], benign: ['onions = 2 cups', 'base64/onafe=', 'abc9onload=x'] },
  },
  {
    id: 'xss-script-uri',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'javascript:, vbscript: and livescript: URLs, also with tabs or newlines inside',
    pattern: /(?:j[\t\n\r]{0,4}a[\t\n\r]{0,4}v[\t\n\r]{0,4}a|v[\t\n\r]{0,4}b|l[\t\n\r]{0,4}i[\t\n\r]{0,4}v[\t\n\r]{0,4}e)[\t\n\r]{0,4}s[\t\n\r]{0,4}c[\t\n\r]{0,4}r[\t\n\r]{0,4}i[\t\n\r]{0,4}p[\t\n\r]{0,4}t[\t\n\r]{0,4}:(?!\s{0,8}[a-z]{2,40}\s{1,8}[a-z])/i,
    examples: { attack: ['javascript:alert(1)', 'java\tscript:x', 'vbscript:MsgBox 1', 'javascript: '], benign: ['JavaScript: The Good Parts', 'I like javascript a lot'] },
  },
  {
    id: 'xss-css-script',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Script in CSS: url(javascript:…), -moz-binding, behavior, @import of remote sheets',
    pattern: /\burl\s{0,8}\(\s{0,8}(?:['"]\s{0,8})?(?:java|vb)script|-moz-binding\s{0,8}:|\bbehavior\s{0,8}:\s{0,8}url|@import\s{0,8}(?:url\s{0,3}\(\s{0,3})?(?:['"]\s{0,8})?(?:https?:|\/\/|javascript)/i,
    examples: { attack: ['background:url(javascript:x)', 'URL( "javascript', '-moz-binding:url(x.xml)', "@import 'http://e/x.css'"], benign: ['background:url(http://example.com/x)', 'url (see docs)'] },
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
    pattern: /\b(?:document|window|self|top|parent|frames|globalthis|opener)\s{0,8}\)?\s{0,8}(?:\.\s{0,8}(?:cookie|domain|location|write|writeln)\b|\[\s{0,8}['"\x60](?:cookie|domain|location|alert|eval|write|\$|\\x[0-9a-f]{2}|\\u))/i,
    examples: { attack: ['document.cookie', 'window . location', "(document)['cookie']", 'self["alert"](1)', 'top["\\x61"]'], benign: ['the document cookie policy', 'window location map'] },
  },
  {
    id: 'xss-dom-api',
    type: 'XSS_ATTEMPT',
    severity: 'MEDIUM',
    description: 'DOM APIs that build or query the page',
    locations: NOT_PATH,
    pattern: /\b(?:document|window|self)\s{0,8}\.\s{0,8}(?:createelement|body|head|documentelement|queryselector(?:all)?|getelementbyid|getelementsby\w{1,20}|forms|images|scripts|referrer|url|localstorage|sessionstorage|execcommand|open|eval|alert)\b/i,
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
    pattern: /\b(?:settimeout|setinterval|execscript|atob|btoa|fromcharcode)\s{0,3}\(|\bnew\s{1,8}function\s{0,3}\(|\bimport\s{0,8}\{[^{}]{0,100}\}\s{0,8}from\s{0,8}['"]|\bimport\s{0,3}\(\s{0,3}['"\x60]/i,
    examples: { attack: ['setTimeout(x, 1)', 'new Function()', 'import { a } from "./b.js"', 'String.fromCharCode(60)'], benign: ['import the data from last quarter', 'a new function for the team'] },
  },
  {
    id: 'xss-js-gadget',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'Script gadgets: tagged-template calls, constructor chains, JSFuck',
    pattern: /\.\s{0,8}(?:call|apply|bind)\s{0,8}\x60|\$\{\s{0,8}(?:alert|eval|prompt|confirm|navigation)\b|\bconstructor\s{0,3}\.\s{0,3}constructor\b|!\s{0,3}!\s{0,3}\[\s{0,3}\]|\(\s{0,3}!\s{0,3}\[\s{0,3}\]|\[\s{0,3}\]\s{0,3}\[\s{0,3}\(|\breflect\s{0,3}\.\s{0,3}\w{1,20}\s{0,3}\.\s{0,3}call\b/i,
    examples: { attack: ['[].map.call`${eval}x`', '{{constructor.constructor("x")()}}', '!![]', '(![]+[])[1]', 'Reflect.apply.call``'], benign: ['- [ ] Review spec', '![screenshot](https://x/y.png)', 'we call `npm ci`'] },
  },
  {
    id: 'xss-xml-entity',
    type: 'XSS_ATTEMPT',
    severity: 'HIGH',
    description: 'XML external entities and XInclude (XXE)',
    pattern: /<!\s{0,3}(?:entity\b|doctype\s{1,8}[\w:-]{1,64}\s{0,8}\[)|!entity\s{1,8}(?:%\s{0,8})?[\w-]{1,64}\s{1,8}(?:system|public)\b|\bxi:include\b/i,
    examples: { attack: ['<!DOCTYPE r [<!ENTITY x SYSTEM "http://e">]>', 'a!ENTITY % b SYSTEM', '<xi:include href="x"/>'], benign: ['<?xml version="1.0"?><note/>', '<!-- draft -->'] },
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
    pattern: /\b(?:formaction|srcdoc)\s{0,3}=|\b(?:src|href|data|action)\s{0,3}=\s{0,3}['"]?\s{0,3}data\s{0,3}:|\bdata\s{0,3}:\s{0,8}(?:text\/html|image\/svg\+xml|(?:application|text)\/(?:x-)?javascript)/i,
    examples: { attack: ["'formaction=x", '<iframe srcdoc="x">', 'src="data:,x"', 'data:text/html;base64,PHM+'], benign: ['the form action is POST', 'data: a list'] },
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
    examples: { attack: ['<a href="x">', '<input pattern="^x$">', '<p style="x">'], benign: ['Results: <none>', 'Email me at <ana@example.com>', 'x < y and y > z'] },
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

/** File names whose presence in a request means someone is looking for secrets. */
const SECRET_FILES = String.raw`etc[\\/](?:passwd|shadow|gshadow|master\.passwd|sudoers|subuid|subgid)\b|\.ssh[\\/]|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws[\\/]credentials|\bboot\.ini\b|\bwin\.ini\b|windows[\\/]system32[\\/]config|\.htpasswd\b|\bwp-config\.php\b|proc[\\/]self[\\/]environ|\.git[\\/]config\b`
const SYSTEM_FILES = String.raw`etc[\\/](?:hosts|issue|crontab|group|security[\\/])|proc[\\/](?:\d{1,7}|self|version|cpuinfo|meminfo|interrupts|net|sys|mounts|cmdline)\b|sys[\\/](?:class|kernel|devices|block|firmware|module)\b|var[\\/]log[\\/]|tmp[\\/]|root[\\/]\.|(?:usr[\\/]local[\\/])?(?:apache2?|httpd|nginx)[\\/]|\b(?:httpd|apache2?|nginx)\.conf\b|\bweb\.config\b|\.(?:bash_|zsh_|sh_|psql_|mysql_)?history\b|\.(?:docker|kube|gnupg|config)[\\/]`

const TRAVERSAL: Rule[] = [
  {
    id: 'traversal-dot-dot',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: '../ and ..\\ sequences that climb out of a directory',
    pattern: /(?:^|[\\/;:=\s'"])(?:\.{2}[\\/;]|\.{3}[\\/])/i,
    examples: { attack: ['../../etc/x', '..\\boot', 'a/../b', '..;/x', '.../...//y'], benign: ['/get/foo../1234', 'Wait... no', '..foo'] },
  },
  {
    id: 'traversal-encoded-dot',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: 'Dots and slashes written as 0x2e / %c0%ae / %u002e to slip past filters',
    pattern: /0x(?:2e|2f|5c)(?:0x(?:2e|2f|5c)|[./\\%\x00])|%(?:c0%a[ef]|c1%[89]c|e0%80%ae|u002e|u2215|u2216|uff0e|252e|252f)/i,
    examples: { attack: ['0x2e0x2e/', '0x5c0x2e./', '%c0%ae%c0%ae/', '%252e%252e'], benign: ['0x2e is a dot', 'color 0x2E4F'] },
  },
  {
    id: 'traversal-secret-file',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: 'Well-known secret files: /etc/passwd, SSH keys, cloud credentials, boot.ini',
    pattern: new RegExp(SECRET_FILES, 'i'),
    examples: { attack: ['/etc/passwd', 'cat /etc/shadow', '.ssh/id_rsa', 'c:\\boot.ini', '~/.aws/credentials'], benign: ['my password is long', 'etc. passwords'] },
  },
  {
    id: 'traversal-system-file',
    type: 'PATH_TRAVERSAL',
    severity: 'MEDIUM',
    description: 'System paths and configuration files outside any upload folder',
    pattern: new RegExp(String.raw`(?:^|[\\/\s'"=:;>|])(?:${SYSTEM_FILES})`, 'i'),
    examples: { attack: ['/proc/version', '/sys/class', '>/tmp/x', 'x/.docker/config', '../.bash_history'], benign: ['history.history', '/test.environment', 'firstname.dockery@host.tld', 'temp folder'] },
  },
  {
    id: 'traversal-archive-dump',
    type: 'PATH_TRAVERSAL',
    severity: 'MEDIUM',
    description: 'Database dumps and compressed backups',
    pattern: /\.sql\.(?:zip|gz|tar|tgz|bz2|7z|rar)\b|\b(?:backup|dump|database|db)\.(?:sql|bak|dump)\b/i,
    examples: { attack: ['backup.sql.zip', 'dump.sql'], benign: ['squirrel.zip', 'my sql notes'] },
  },
  {
    id: 'traversal-hidden-path',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: 'Request paths into dot-folders and dot-files (.env, .git, tool configs), except /.well-known/',
    pattern: /\/\.(?!well-known\/)[\w-]/i,
    locations: ['path'],
    examples: { attack: ['/.env', '/.git/HEAD', '/app/.vscode/settings.json', '/.cursorignore'], benign: ['/css/style.css', '/.well-known/security.txt', '/jquery.history.min.js'] },
  },
  {
    id: 'traversal-sensitive-path',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: 'Request paths of logs, dumps and dev-server file access (/@fs/, debug.log)',
    pattern: /^\/@(?:fs|id|vite)\/|\.(?:log|sql|bak|old|orig|swp|sqlite3?|dump|env|ini|conf|pem|key|p12|pfx)(?:\.(?:zip|gz|tar|tgz|bz2|7z|rar))?$/i,
    locations: ['path'],
    examples: { attack: ['/@fs/etc/x', '/wp-content/debug.log', '/backup.sql.gz', '/server.key'], benign: ['/orgs/acme', '/build/root-X1.js', '/api/continue/session'] },
  },
]

/** Commands that are no English word: after a shell separator, anything may follow. */
const RARE_COMMANDS = String.raw`whoami|uname|wget|nslookup|ifconfig|ipconfig|netstat|chmod|chown|base64|base32|busybox|socat|certutil|bitsadmin|mshta|rundll32|wscript|cscript|systeminfo|tftp|lastlog|lastlogin|nohup|xargs|crontab|regedit|ncat|netcat|powershell|pwsh|zsh|ksh|tcsh|ansible(?:-[a-z]{1,12})?|chef-[a-z]{1,12}|cscli|aptitude|apt-get|htop|rmt(?:-[a-z]{1,8})?|visudo|strace|ltrace|cpulimit|mkfifo|wmic|iwmi|msiexec`
/** Commands that could be words in prose ("; ping me"): only with a shell-like argument. */
const COMMANDS = 'cat|ls|id|curl|nc|bash|sh|csh|dash|python[23]?|perl|ruby|php|cmd|ping|rm|awk|sed|telnet|gdb|flock'
/**
 * What follows a command in a shell and rarely in prose: an argument starting
 * with a shell character or a digit, the end of the value, or another operator.
 * Words are not enough ("Tom & Cat Ltd", "; ping me tomorrow").
 */
const SHELL_ARGUMENT = String.raw`(?:\s{1,8}(?:[-/$.'"<>;\x60({\\~*\d]|(?:https?|ftp):)|\s{0,8}$|[;|&\x60)<>])`
/** Commands that are also English words. */
const WORD_COMMANDS = 'time|set|type|more|find|who|last|head|tail|dir|echo|env|sleep|kill|ps|w|less|sort|cut|tar|zip|net|reg|alias|exec|eval|export|printf|ssh|scp|ftp'

const COMMAND: Rule[] = [
  {
    id: 'cmdi-command-chain',
    type: 'COMMAND_INJECTION',
    severity: 'HIGH',
    description: 'A shell separator followed by a command',
    pattern: new RegExp(
      String.raw`(?:[;&|\x60\n]|\$\()\s{0,8}['"]?(?:(?:${RARE_COMMANDS})(?:\.exe)?['"]?(?:\s|$|[;|&\x60)<>])|(?:${COMMANDS})(?:\.exe)?['"]?${SHELL_ARGUMENT})|\b(?:ba|z|k|c|tc|da)?sh\s{1,8}-c\s`,
      'i',
    ),
    examples: { attack: ['; cat /etc/x', '| id', '&& whoami', '`uname -a`', '$(curl -s x)', ';ls', "; 'curl' http://x", 'time; visudo', 'nohup sh -c id'], benign: ['Cat & Dog Grooming', 'AT&T Field Ops', 'Q&A; catalog', 'We use Go; python is slower', 'Tom & Cat Ltd'] },
  },
  {
    id: 'cmdi-bare-command',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'A value that starts with a reconnaissance command, or runs one through a wrapper',
    pattern: new RegExp(String.raw`^\s{0,8}(?:whoami|ifconfig|ipconfig|uname|netstat|systeminfo)\b|\b(?:nohup|strace|ltrace|sudo|doas|time)\s{1,8}(?:${RARE_COMMANDS})\b`, 'i'),
    examples: { attack: ['whoami', 'time ifconfig', 'sudo visudo'], benign: ['who am i', 'time to go'] },
  },
  {
    id: 'cmdi-word-command',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'A shell separator followed by a command that is also a word, with shell-like arguments',
    pattern: new RegExp(String.raw`(?:[;&|\x60\n]|\$\()\s{0,8}(?:${WORD_COMMANDS})${SHELL_ARGUMENT}`, 'i'),
    examples: { attack: [';set', '| head -1', '; echo $PATH', ';ps'], benign: ['hello; time he came', 'a hero; more than', 'red;$5 each'] },
  },
  {
    id: 'cmdi-substitution',
    type: 'COMMAND_INJECTION',
    severity: 'HIGH',
    description: 'Command substitution and shell expansions: $(…), `…`, ${IFS}, process substitution',
    pattern: /\$\(\s{0,8}[\w/.({$-]|\$\{\s{0,8}(?:ifs|path|home|shell|user)\s{0,3}\}|[<>]\(\s{0,3}[a-z]|\$\$?\[|\w\s{0,3}<<<|\$\{[^{}]{0,40}\}\s{0,3}\{?\s{0,3}jndi|\$\{\s{0,8}(?:jndi|env|sys|lower|upper)\s{0,3}:|\$\{\s{0,3}::-/i,
    examples: { attack: ['$(id)', '${IFS}', '>(tee x)', 'irb<<<1', '${jndi:ldap://x/a}', '${::-j}'], benign: ['$5 each', 'Hello, ${name}!', '<<< Back to overview'] },
  },
  {
    id: 'cmdi-template-variable',
    type: 'COMMAND_INJECTION',
    severity: 'LOW',
    description: 'Shell-style ${…} variables',
    pattern: /\$\{\s{0,3}[a-z_][\w:-]{0,40}\s{0,3}[}#%/^,]/i,
    examples: { attack: ['${cmd}'], benign: ['costs $5', '{name}'] },
  },
  {
    id: 'cmdi-shellshock',
    type: 'COMMAND_INJECTION',
    severity: 'CRITICAL',
    description: 'Shellshock function definitions in a value',
    pattern: /^\s{0,3}\(\s{0,3}\)\s{0,3}\{|\(\s{0,3}\)\s{0,3}\{\s{0,3}:\s{0,3};\s{0,3}\}/i,
    examples: { attack: ['() { :;}; echo x', '() {'], benign: ['function App() { return 1 }'] },
  },
  {
    id: 'cmdi-windows',
    type: 'COMMAND_INJECTION',
    severity: 'HIGH',
    description: 'Windows shell: FOR /F loops, IF EXIST, %SYSTEMROOT%, PowerShell download cradles',
    pattern: /\bfor\s{1,8}(?:\/[dflr]\b|%%?[\w~/\][@_-]{1,30}\s{1,8}in\s{0,8}\()|\bif\s{1,8}(?:\/i\s{1,8})?(?:not\s{1,8})?(?:exist|defined|errorlevel)\b|%(?:systemroot|windir|comspec|systemdrive|programfiles|appdata|userprofile|errorlevel)%|\bcmd(?:\.exe)?\s{1,8}\/[ck]\b|\bpowershell(?:\.exe)?\s|\b(?:iex|invoke-expression|invoke-webrequest|iwr|invoke-restmethod|start-process|downloadstring|downloadfile)\b|\bnew-object\s{1,8}net\.webclient\b|\bregedit\s{1,8}\/[es]\b|\bbcdboot\b/i,
    examples: { attack: ['for /f "x" %a in (y) do z', 'FOR %i IN (a) DO b', 'if not exist c:\\x echo', 'type %SystemDrive%\\x', 'powershell -c x', 'iex (iwr http://x)'], benign: ['for the team', 'if it exists', 'Invoke Web Request docs'] },
  },
  {
    id: 'cmdi-windows-condition',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Batch-file comparisons (IF x==y, IF %a% LSS %b%)',
    pattern: /\bif\s{0,8}(?:\/i\s{1,8})?(?:not\s{1,8})?(?:"[^"]{0,40}"|%[\w~:-]{1,30}%|[[({][^\])}]{0,30}[\])}]|[\w?%~]{1,16})\s{0,8}(?:==|\b(?:equ|neq|lss|leq|gtr|geq)\b)|\bif\s{1,8}cmdextversion\b/i,
    examples: { attack: ['if "%v%"=="" x', 'IF %a% LSS 3 echo', 'if/i a==b c'], benign: ['ifq a==b foo', 'iffoo a==b', 'if you want'] },
  },
  {
    id: 'cmdi-unix-path',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Interpreters by absolute path and glob-obfuscated paths (/bin/sh, /e?c/pa[s]swd)',
    pattern: /(?:^|[\s;|&\x60'"(=])\/?(?:usr\/(?:local\/)?)?s?bin\/[a-z]|\/[\w?*]{0,8}\[(?:[!^][^\]\s]{1,8}|[\w-]{0,8}[?*/][^\]\s]{0,8})\]|\/[\w?*]{0,8}\[[^\]\s]{1,8}\][\w?*]{0,8}(?:\/|[\w?*]$)|\|\s{0,8}(?:ba|z|k|c|tc|da)?sh\b|\bbase64\s{1,8}-{1,2}d(?:ecode)?\b/i,
    examples: { attack: ['/bin/bash', '/usr/bin/python3 -m x', '/e?c/[p]asswd', '| sh', 'base64 -d'], benign: ['binary search', 'a/[b] c', 'the cabinet'] },
  },
  {
    id: 'cmdi-alias',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Shell alias definitions and brace expansion',
    pattern: /\balias\s{1,8}(?:[-+][a-z+]{1,8}\s{1,8})?['"]?[\w+.-]{1,30}['"]?=|\{\s{0,3}(?:,\s{0,3})?[a-z]{1,20}\s{0,3},|\{\s{0,3},\s{0,3}[a-z]{1,20}\s{0,3}\}/i,
    examples: { attack: ['alias x=curl', '{,id,}', '{id,}'], benign: ['your alias is not = to your name', '{"a": 1}'] },
  },
  {
    id: 'cmdi-tilde-history',
    type: 'COMMAND_INJECTION',
    severity: 'LOW',
    description: 'Shell tilde and history expansions used as probes (~+, !-1)',
    pattern: /^~[+-]\d{0,5}$|!-\d/i,
    examples: { attack: ['~+', '~-1', '!-1!-2'], benign: ['~+z', '~/Documents'] },
  },
]

const SUSPICIOUS: Rule[] = [
  {
    id: 'null-byte',
    type: 'SUSPICIOUS_ACTIVITY',
    severity: 'MEDIUM',
    description: 'A NUL character, used to truncate strings in C-based parsers',
    pattern: /\x00/i,
    examples: { attack: ['file.txt\x00.png'], benign: ['file.txt'] },
  },
  {
    id: 'scanner-user-agent',
    type: 'SUSPICIOUS_ACTIVITY',
    severity: 'MEDIUM',
    description: 'User agents of vulnerability scanners',
    pattern: /\b(?:sqlmap|nikto|nmap|masscan|acunetix|nessus|openvas|wpscan|dirbuster|gobuster|ffuf|nuclei|zgrab|havij|w3af|arachni|commix)\b/i,
    locations: ['header'],
    examples: { attack: ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'Mozilla/5.0 Nikto/2.5'], benign: ['Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'] },
  },
]

export const RULES: readonly Rule[] = [...SQL, ...XSS, ...TRAVERSAL, ...COMMAND, ...SUSPICIOUS]

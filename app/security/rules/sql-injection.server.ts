/** SQL injection: the CRS 942 family. */
import type { Rule } from '../types'

/** SQL-ish separators: whitespace, parentheses, quotes, plus and comment starts. */
const SEP = String.raw`[\s()\x60'"+#\x0b-]`
const QUOTE = String.raw`['"\x60]`

export const SQL: readonly Rule[] = [
  {
    id: 'sqli-union-select',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'UNION SELECT: appending a query of the attacker’s choice',
    pattern: new RegExp(String.raw`\bunion${SEP}{1,12}(?:(?:all|distinct|distinctrow)${SEP}{1,12})?select\b|union(?:all|distinct)?select`, 'i'),
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
    examples: {
      attack: ["admin'--", "root')-- -", "guest'#", "bob'/* skip */"],
      benign: ["It's 'fine' -- really", "'#hashtag' campaigns", 'item "A"--B'],
    },
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
      attack: ["x';DROP TABLE t", "y'); select 1", "z') union select 2", 'q")and(1)'],
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
      attack: ['(select count(*) from users)', '1 and (select*from(select(1))a)', '(SELECT pass FROM admins)'],
      benign: ['(select all that apply)', '(Select the plan first)'],
    },
  },
  {
    id: 'sqli-select-call',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'SELECT followed by a function call',
    pattern:
      /\bselect\(|\bselect\s{0,8}(?:[a-z_]{1,30}\(|(?:sleep|benchmark|char|chr|concat|if|iif|case|count|load_file|group_concat|pg_sleep|version|user|database|ascii|substring|md5)\s{1,8}\()/i,
    examples: {
      attack: ['SELECT version()', 'select if(1,2,3)', 'sElEcT sleep (2)', 'select(user())'],
      benign: ['select one (or more) options', 'Select Comfort Sleep Co.'],
    },
  },
  {
    id: 'sqli-select-from',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'The shape of a SELECT … FROM statement',
    pattern:
      /\bselect\s{1,8}(?:\*|@@|distinct\b|top\s{1,8}\d)|\bselect\s{1,8}[\w.\x60"[\]]{1,64}\s{0,8}(?:,\s{0,8}[\w.\x60"[\]]{1,64}\s{0,8}){0,8}from\s{1,8}[\w.\x60"[\]]{1,64}\s{0,8}(?:where|limit|order|group|union|;|\)|$)/i,
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
    pattern:
      /\b(?:sleep|benchmark)(?:\(|\s{1,8}\(\s{0,8}(?:['"(@]|[a-z_]{1,20}\(|-?\d{1,12}(?:\.\d{1,12})?\s{0,8}(?:[-+*/%^),]|div\b|mod\b)))|\bpg_sleep\b|\bwaitfor\s{1,8}(?:delay|time)\b/i,
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
    pattern:
      /\b(?:xp_cmdshell|xp_dirtree|xp_regread|xp_fileexist|sp_oacreate|sp_execute(?:sql)?|sp_makewebtask|openrowset|opendatasource)\b|\bexec(?:ute)?\s{0,8}(?:\(\s{0,8})?(?:master\s{0,3}\.|@|xp_|sp_)|\bexecute\s{1,8}immediate\b|\bdeclare\s{0,8}@\w/i,
    examples: {
      attack: ['; exec xp_cmdshell', 'EXEC master..xp_dirtree', 'exec(@q)', 'declare @v varchar(9)', 'EXECUTE IMMEDIATE q'],
      benign: ['exec summary goes on page 1', 'Execute the plan in three phases'],
    },
  },
  {
    id: 'sqli-metadata',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'Database catalog names: mapping the schema',
    pattern:
      /\b(?:information_schema|pg_catalog|pg_shadow|pg_authid|sqlite_master|sysobjects|syscolumns|msysaccessobjects|mysql\.(?:db|user)|all_tab_columns)\b|@@(?:version|datadir|hostname|basedir)\b/i,
    examples: {
      attack: ['from information_schema.tables', 'pg_catalog', 'MSysAccessObjects', '@@version'],
      benign: ['information about the schema', 'catalog of postgres tips'],
    },
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
    pattern:
      /\b(?:extractvalue|updatexml|xmltype|load_file|name_const|sqlite_compileoption_(?:used|get)|make_set|lo_import|lo_export|lo_get|pg_read_file|pg_ls_dir|dbms_pipe\.\w{1,20}|utl_http\.\w{1,20}|utl_inaddr\.\w{1,20}|geometrycollection|multipoint|polygon)\s{0,3}\(/i,
    examples: {
      attack: ['extractvalue(1,concat(0x7e,user()))', 'load_file (0x2f)', 'lo_get(1)'],
      benign: ['load the file from disk', 'update the XML'],
    },
  },
  {
    id: 'sqli-function',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Calls to SQL functions that attackers use to extract or compare data',
    pattern:
      /\b(?:group_concat|concat_ws|concat|find_in_set|json_extract|jsonb_pretty|json_build_object|string_to_array|starts_with|unistr|iif|ifnull|isnull|nullif|coalesce|substring|substr|unhex|strcmp|sysdate|current_user|session_user|system_user|db_name|benchmark|compress|uncompress|instr|locate|md5|sha1)\s{0,3}\(|\b(?:database|user|version|schema|char|chr|nchar|ascii|ord|hex|mid|elt|rand|pow|cos|sin|trim|rtrim|ltrim|decode|encode|insert|left|right|convert|cast|floor|exp|div|field|len)\((?!s\))/i,
    examples: {
      attack: ['concat(a,b)', 'SUBSTRING (x,1,1)', 'md5(1)', 'user()', 'hex(name)'],
      benign: ['Left (WA, RR) to the farm', 'convert (0.46 miles)', 'check the field(s) below', 'appUser(site)'],
    },
  },
  {
    id: 'sqli-pg-cast',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'PostgreSQL casts, used to force errors that leak data',
    pattern:
      /::\s{0,3}(?:int[248]?|integer|bigint|smallint|numeric|decimal|real|float[48]?|double\s{1,3}precision|text|varchar|char|bool|boolean|jsonb?|regclass|oid|bytea|xml|inet|uuid)\b/i,
    examples: { attack: ['secret::int', '(x)::jsonb', 'f(1)::double precision'], benign: ['std::string name', 'Foo::Bar.new'] },
  },
  {
    id: 'sqli-json-operator',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'A quoted JSON literal compared with PostgreSQL/MySQL JSON operators',
    pattern: /'\s{0,3}[{[][^']{0,200}[}\]]\s{0,3}'\s{0,8}(?:::\s{0,3}jsonb?\s{0,8})?(?:->>?|#>>?|#-|@>|<@|\?[|&]?|@[?@]|[<>=-]|\|\||::)/i,
    examples: {
      attack: [`'{"k":1}'::jsonb @> '{}'`, `'[3,4]' ? '3'`, `'{"a":{"b":1}}' #>> '{a,b}'`],
      benign: [`{"theme":"dark","pageSize":50}`, `it's {fine} - really`],
    },
  },
  {
    id: 'sqli-nosql-operator',
    type: 'SQL_INJECTION',
    severity: 'HIGH',
    description: 'MongoDB query operators in a parameter name or JSON key',
    pattern:
      /\[\s{0,3}\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|nor|or|and|elemmatch|text|expr|size|type|all|mod|jsonschema)\s{0,3}\]|^\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|nor|or|and|elemmatch|text|expr|size|type|all|mod|jsonschema)$/i,
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
    examples: {
      attack: ['case when 1=1 then 2 else 3 end', 'if(9=', 'IF(now()=sysdate()'],
      benign: ['just in case (abc)', 'if (you want) we can talk'],
    },
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
    examples: {
      attack: ['x having count(id) > 1', 'group by a having 1', "q' order by 3--"],
      benign: ['having fun', 'order by price, then by rating'],
    },
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
    pattern:
      /;\s{0,8}(?:(?:drop|truncate|alter|create)\s{1,8}(?:table|database|schema|function|procedure|trigger|view|index|user)\b|(?:insert|replace)\s{1,8}(?:into\b|[\w\x60"]{1,64}\s{0,8}\()|delete\s{1,8}from\b|update\s{1,8}[\w\x60".]{1,64}\s{1,8}set\b|(?:exec|execute|declare|shutdown|truncate)\b|select\s{1,8}(?:\*|@@|\w{1,64}\s{0,3}[(,])|(?:sleep|benchmark|pg_sleep)\s{0,3}\()/i,
    examples: {
      attack: ['1; DROP TABLE users', ';insert into t values (1)', ';truncate[x', '; select name, 1', ';replace t (a) values (1)'],
      benign: ['hello; time he came', ';insertion_123', 'Tue to Wed; sorry!'],
    },
  },
  {
    id: 'sqli-statement',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'The shape of a data-changing or schema statement',
    pattern:
      /\b(?:create|alter)\s{1,8}(?:temporary\s{1,8})?(?:table|function|procedure|trigger)\s{1,8}[\w\x60"[]|\binsert\s{1,8}into\s{1,8}[\w\x60".[\]]{1,64}\s{0,8}(?:\(|values\b|select\b)|\bdelete\s{1,8}from\s{1,8}[\w\x60".]{1,64}\s{0,8}(?:where\b|;|$)|\bupdate\s{1,8}[\w\x60".]{1,64}\s{1,8}set\s{1,8}[\w\x60".]{1,64}\s{0,3}=|\binto\s{1,8}(?:out|dump)file\b|\bprocedure\s{1,8}analyse\b/i,
    examples: {
      attack: ['CREATE TABLE t (a int)', 'ALTER TABLE `x` ADD y', 'insert into log values(1)', "into outfile '/tmp/x'", 'procedure analyse()'],
      benign: ['Can you create a table of contents?', 'insert a page break before chapter 2', 'update the order and delete the duplicate'],
    },
  },
  {
    id: 'sqli-alias',
    type: 'SQL_INJECTION',
    severity: 'MEDIUM',
    description: 'Quoted identifiers with AS / FROM / REGEXP, as in hand-written SELECT lists',
    pattern:
      /\x60\s{0,8}as\s{1,8}\x60|\bas\s{0,8}["\x60][^"\x60]{0,64}["\x60]\s{0,8}from\b|\d\s{1,8}as\s{0,8}["\x60]\s{0,8}from\b|\x60\s{0,8}(?:regexp|rlike)\b/i,
    examples: {
      attack: ['` AS `uid` FROM', '1 as "x" from t', '` REGEXP '],
      benign: ['known as "the boss" at work', 'Use `npm install` and then `npm run dev`.'],
    },
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

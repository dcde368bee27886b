/** Shell command injection: the CRS 932 family. */
import type { Rule } from '../types'

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
const WORD_COMMANDS =
  'time|set|type|more|find|who|last|head|tail|dir|echo|env|sleep|kill|ps|w|less|sort|cut|tar|zip|net|reg|alias|exec|eval|export|printf|ssh|scp|ftp'

export const COMMAND: readonly Rule[] = [
  {
    id: 'cmdi-command-chain',
    type: 'COMMAND_INJECTION',
    severity: 'HIGH',
    description: 'A shell separator followed by a command',
    pattern: new RegExp(
      String.raw`(?:[;&|\x60\n]|\$\()\s{0,8}['"]?(?:(?:${RARE_COMMANDS})(?:\.exe)?['"]?(?:\s|$|[;|&\x60)<>])|(?:${COMMANDS})(?:\.exe)?['"]?${SHELL_ARGUMENT})|\b(?:ba|z|k|c|tc|da)?sh\s{1,8}-c\s`,
      'i',
    ),
    examples: {
      attack: ['; cat /etc/x', '| id', '&& whoami', '`uname -a`', '$(curl -s x)', ';ls', "; 'curl' http://x", 'time; visudo', 'nohup sh -c id'],
      benign: ['Cat & Dog Grooming', 'AT&T Field Ops', 'Q&A; catalog', 'We use Go; python is slower', 'Tom & Cat Ltd'],
    },
  },
  {
    id: 'cmdi-bare-command',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'A value that starts with a reconnaissance command, or runs one through a wrapper',
    pattern: new RegExp(
      String.raw`^\s{0,8}(?:whoami|ifconfig|ipconfig|uname|netstat|systeminfo)\b|\b(?:nohup|strace|ltrace|sudo|doas|time)\s{1,8}(?:${RARE_COMMANDS})\b`,
      'i',
    ),
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
    pattern:
      /\$\(\s{0,8}[\w/.({$-]|\$\{\s{0,8}(?:ifs|path|home|shell|user)\s{0,3}\}|[<>]\(\s{0,3}[a-z]|\$\$?\[|\w\s{0,3}<<<|\$\{[^{}]{0,40}\}\s{0,3}\{?\s{0,3}jndi|\$\{\s{0,8}(?:jndi|env|sys|lower|upper)\s{0,3}:|\$\{\s{0,3}::-/i,
    examples: {
      attack: ['$(id)', '${IFS}', '>(tee x)', 'irb<<<1', '${jndi:ldap://x/a}', '${::-j}'],
      benign: ['$5 each', 'Hello, ${name}!', '<<< Back to overview'],
    },
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
    pattern:
      /\bfor\s{1,8}(?:\/[dflr]\b|%%?[\w~/\][@_-]{1,30}\s{1,8}in\s{0,8}\()|\bif\s{1,8}(?:\/i\s{1,8})?(?:not\s{1,8})?(?:exist|defined|errorlevel)\b|%(?:systemroot|windir|comspec|systemdrive|programfiles|appdata|userprofile|errorlevel)%|\bcmd(?:\.exe)?\s{1,8}\/[ck]\b|\bpowershell(?:\.exe)?\s|\b(?:iex|invoke-expression|invoke-webrequest|iwr|invoke-restmethod|start-process|downloadstring|downloadfile)\b|\bnew-object\s{1,8}net\.webclient\b|\bregedit\s{1,8}\/[es]\b|\bbcdboot\b/i,
    examples: {
      attack: [
        'for /f "x" %a in (y) do z',
        'FOR %i IN (a) DO b',
        'if not exist c:\\x echo',
        'type %SystemDrive%\\x',
        'powershell -c x',
        'iex (iwr http://x)',
      ],
      benign: ['for the team', 'if it exists', 'Invoke Web Request docs'],
    },
  },
  {
    id: 'cmdi-windows-condition',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Batch-file comparisons (IF x==y, IF %a% LSS %b%)',
    pattern:
      /\bif\s{0,8}(?:\/i\s{1,8})?(?:not\s{1,8})?(?:"[^"]{0,40}"|%[\w~:-]{1,30}%|[[({][^\])}]{0,30}[\])}]|[\w?%~]{1,16})\s{0,8}(?:==|\b(?:equ|neq|lss|leq|gtr|geq)\b)|\bif\s{1,8}cmdextversion\b/i,
    examples: { attack: ['if "%v%"=="" x', 'IF %a% LSS 3 echo', 'if/i a==b c'], benign: ['ifq a==b foo', 'iffoo a==b', 'if you want'] },
  },
  {
    id: 'cmdi-unix-path',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Interpreters by absolute path and glob-obfuscated paths (/bin/sh, /e?c/pa[s]swd)',
    pattern:
      /(?:^|[\s;|&\x60'"(=])\/?(?:usr\/(?:local\/)?)?s?bin\/[a-z]|\/[\w?*]{0,8}\[(?:[!^][^\]\s]{1,8}|[\w-]{0,8}[?*/][^\]\s]{0,8})\]|\/[\w?*]{0,8}\[[^\]\s]{1,8}\][\w?*]{0,8}(?:\/|[\w?*]$)|\|\s{0,8}(?:ba|z|k|c|tc|da)?sh\b|\bbase64\s{1,8}-{1,2}d(?:ecode)?\b/i,
    examples: {
      attack: ['/bin/bash', '/usr/bin/python3 -m x', '/e?c/[p]asswd', '| sh', 'base64 -d'],
      benign: ['binary search', 'a/[b] c', 'the cabinet'],
    },
  },
  {
    id: 'cmdi-alias',
    type: 'COMMAND_INJECTION',
    severity: 'MEDIUM',
    description: 'Shell alias definitions and brace expansion',
    pattern:
      /\balias\s{1,8}(?:[-+][a-z+]{1,8}\s{1,8})?['"]?[\w+.-]{1,30}['"]?=|\{\s{0,3}(?:,\s{0,3})?[a-z]{1,20}\s{0,3},|\{\s{0,3},\s{0,3}[a-z]{1,20}\s{0,3}\}/i,
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

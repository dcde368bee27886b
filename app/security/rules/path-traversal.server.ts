/** Path traversal and file disclosure: the CRS 930 family. */
import type { Rule } from '../types'

/** File names whose presence in a request means someone is looking for secrets. */
const SECRET_FILES = String.raw`etc[\\/](?:passwd|shadow|gshadow|master\.passwd|sudoers|subuid|subgid)\b|\.ssh[\\/]|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws[\\/]credentials|\bboot\.ini\b|\bwin\.ini\b|windows[\\/]system32[\\/]config|\.htpasswd\b|\bwp-config\.php\b|proc[\\/]self[\\/]environ|\.git[\\/]config\b`
const SYSTEM_FILES = String.raw`etc[\\/](?:hosts|issue|crontab|group|security[\\/])|proc[\\/](?:\d{1,7}|self|version|cpuinfo|meminfo|interrupts|net|sys|mounts|cmdline)\b|sys[\\/](?:class|kernel|devices|block|firmware|module)\b|var[\\/]log[\\/]|tmp[\\/]|root[\\/]\.|(?:usr[\\/]local[\\/])?(?:apache2?|httpd|nginx)[\\/]|\b(?:httpd|apache2?|nginx)\.conf\b|\bweb\.config\b|\.(?:bash_|zsh_|sh_|psql_|mysql_)?history\b|\.(?:docker|kube|gnupg|config)[\\/]`

export const TRAVERSAL: readonly Rule[] = [
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
    examples: {
      attack: ['/etc/passwd', 'cat /etc/shadow', '.ssh/id_rsa', 'c:\\boot.ini', '~/.aws/credentials'],
      benign: ['my password is long', 'etc. passwords'],
    },
  },
  {
    id: 'traversal-system-file',
    type: 'PATH_TRAVERSAL',
    severity: 'MEDIUM',
    description: 'System paths and configuration files outside any upload folder',
    pattern: new RegExp(String.raw`(?:^|[\\/\s'"=:;>|])(?:${SYSTEM_FILES})`, 'i'),
    examples: {
      attack: ['/proc/version', '/sys/class', '>/tmp/x', 'x/.docker/config', '../.bash_history'],
      benign: ['history.history', '/test.environment', 'firstname.dockery@host.tld', 'temp folder'],
    },
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
    examples: {
      attack: ['/.env', '/.git/HEAD', '/app/.vscode/settings.json', '/.cursorignore'],
      benign: ['/css/style.css', '/.well-known/security.txt', '/jquery.history.min.js'],
    },
  },
  {
    id: 'traversal-sensitive-path',
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    description: 'Request paths of logs, dumps and dev-server file access (/@fs/, debug.log)',
    pattern: /^\/@(?:fs|id|vite)\/|\.(?:log|sql|bak|old|orig|swp|sqlite3?|dump|env|ini|conf|pem|key|p12|pfx)(?:\.(?:zip|gz|tar|tgz|bz2|7z|rar))?$/i,
    locations: ['path'],
    examples: {
      attack: ['/@fs/etc/x', '/wp-content/debug.log', '/backup.sql.gz', '/server.key'],
      benign: ['/orgs/acme', '/assets/root-X1.js', '/api/continue/session'],
    },
  },
]

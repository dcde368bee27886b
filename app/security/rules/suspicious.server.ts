/** Signs of probing that are no attack by themselves. */
import type { Rule } from '../types'

export const SUSPICIOUS: readonly Rule[] = [
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
    examples: {
      attack: ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'Mozilla/5.0 Nikto/2.5'],
      benign: ['Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'],
    },
  },
]

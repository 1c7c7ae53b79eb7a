#!/usr/bin/env python3
"""Flatten a gmemvisor KTAP document (lib/ktap.h) into one line per case:
"<suite.child.case>\t<pass|fail|skip>\t<skip reason>". Suite result lines
are recognised as the line that closes a "# Subtest:" block and left out.
Reads standard input, writes standard output.

With --backend NAME, the document must name its backend on at least one
"# backend: NAME" line (the conformance and guest suites print one) and on
no line another backend; otherwise a message goes to standard error and
the exit status is 1, after the cases were printed all the same.

A case whose expectation depends on the kernel version or the environment
says so inside its own output, before its result line, with a diagnostic
"# row: version REASON" or "# row: intentional REASON"; a passing case
then prints "version: REASON" or "intentional: REASON" in the third field
(scripts/crosscheck-table.py classifies the row by it)."""
import re
import sys

RESULT = re.compile(r'^(not ok|ok) \d+ (\S+)(?: # (SKIP)? ?(.*))?$')
BACKEND = re.compile(r'^# backend: (\S+)$')
ROW = re.compile(r'^# row: (version|intentional) (.*)$')

want = None
if len(sys.argv) == 3 and sys.argv[1] == '--backend':
    want = sys.argv[2]
elif len(sys.argv) != 1:
    sys.exit('usage: ktap-cases.py [--backend NAME] <KTAP >CASES')

names = {}  # indent level -> name of the open subtest at that level
backends = set()
rows = {}  # indent level -> the "# row:" note of the case still running

for raw in sys.stdin:
    line = raw.rstrip('\n')
    body = line.lstrip(' ')
    level = (len(line) - len(body)) // 4
    if body.startswith('# Subtest: '):
        names = {k: v for k, v in names.items() if k < level}
        names[level] = body[len('# Subtest: '):]
        continue
    m = BACKEND.match(body)
    if m:
        backends.add(m.group(1))
        continue
    m = ROW.match(body)
    if m:
        rows[level] = f'{m.group(1)}: {m.group(2)}'
        continue
    m = RESULT.match(body)
    if not m:
        continue
    row = rows.pop(level, '')
    ok, name, skip, note = m.groups()
    if names.get(level + 1) == name:
        del names[level + 1]  # the line closing a suite
        continue
    path = '.'.join(names[k] for k in sorted(names) if k <= level)
    path = f'{path}.{name}' if path else name
    if ok == 'not ok':
        verdict = 'fail'
    elif skip:
        verdict = 'skip'
    else:
        verdict = 'pass'
    print(f'{path}\t{verdict}\t{note or ""}' if verdict != 'pass'
          else f'{path}\tpass\t{row}')

if want is not None and backends != {want}:
    found = ', '.join(sorted(backends)) or 'none'
    print(f'ktap-cases.py: expected backend {want}, the document names '
          f'{found}', file=sys.stderr)
    sys.exit(1)

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

sys.dont_write_bytecode = True
import ktapdoc  # noqa: E402  (scripts/, beside this file)

BACKEND = re.compile(r'^backend: (\S+)$')
ROW = re.compile(r'^row: (version|intentional) (.*)$')

want = None
if len(sys.argv) == 3 and sys.argv[1] == '--backend':
    want = sys.argv[2]
elif len(sys.argv) != 1:
    sys.exit('usage: ktap-cases.py [--backend NAME] <KTAP >CASES')

doc = ktapdoc.parse(sys.stdin)
backends = {m.group(1) for m in map(BACKEND.match, doc.comments) if m}
for case in doc.cases:
    if case.result != 'pass':
        print(f'{case.path}\t{case.result}\t{case.note}')
        continue
    rows = [m for m in map(ROW.match, case.diags) if m]
    row = f'{rows[-1].group(1)}: {rows[-1].group(2)}' if rows else ''
    print(f'{case.path}\tpass\t{row}')

if want is not None and backends != {want}:
    found = ', '.join(sorted(backends)) or 'none'
    print(f'ktap-cases.py: expected backend {want}, the document names '
          f'{found}', file=sys.stderr)
    sys.exit(1)

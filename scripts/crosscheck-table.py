#!/usr/bin/env python3
"""The cross-check table: one row per behaviour (conformance case, guest
case, trace operation), one column per place it ran, each cell classified.

Usage: crosscheck-table.py KEEP TRACES [--all]

KEEP holds what scripts/crosscheck-kernel.sh gathered (case lists are
ktap-cases.py output, "PATH<tab>VERDICT<tab>NOTE"):
  columns          one line per column: "KEY<tab>TITLE<tab>ABSENT", ABSENT
                   empty or why the column has no results
  KEY.conf, KEY.guest   the column's conformance and guest cases
  KEY.<trace>      the column's result lines for traces/<trace>.trace
The column keyed "native" is the reference for the trace rows of the
others; its own trace rows are compared with TRACES/<trace>.expected (the
reference Linux host's results). Allow-lists: TRACES/intentional-divergences
for native and a host kernel, TRACES/intentional-divergences.booted for a
key starting with "booted".

A cell is: agree (a pass, or the same result as the reference); version or
intentional (a pass whose case printed "# row: version|intentional
REASON", or a trace divergence its allow-list names, as version when the
entry's reason starts "version" or "G<n> version"); unexplained (a failure, a case that did
not report, a divergence no entry names); skip (with the reason); or "-"
(not run there). Prints the rows that are not all agree (all rows with
--all), the reasons, and one summary line per column; exit status 1 when
any cell is unexplained.
"""
import os
import re
import sys

ALLOW = re.compile(r"^(\S+):(\d+) native '([^']*)' linux '([^']*)' (.*)$")
# An allow-list reason naming a difference between Linux releases:
# "version: ..." or "G64 version: ...".
VERSION = re.compile(r'^(G\d+ )?version\b')


def read_cases(path):
    cases = {}
    if os.path.exists(path):
        for line in open(path):
            f = line.rstrip('\n').split('\t')
            cases[f[0]] = (f[1], f[2] if len(f) > 2 else '')
    return cases


def read_allow(path):
    allow = {}
    if os.path.exists(path):
        for line in open(path):
            m = ALLOW.match(line.rstrip('\n'))
            if m:
                allow[(m[1], int(m[2]))] = (m[3], m[4], m[5])
    return allow


def trace_ops(path):
    """Line numbers of a trace's operations (comments and blanks left out)."""
    ops = []
    for n, line in enumerate(open(path), 1):
        if line.split('#', 1)[0].strip():
            ops.append(n)
    return ops


def case_cell(cases, path, absent):
    if absent:
        return '-', ''
    if path not in cases:
        return 'unexplained', 'never reported'
    verdict, note = cases[path]
    if verdict == 'pass':
        for kind in ('version', 'intentional'):
            if note.startswith(kind + ': '):
                return kind, note[len(kind) + 2:]
        return 'agree', ''
    if verdict == 'skip':
        return 'skip', note
    return 'unexplained', 'fails' if verdict == 'fail' else note


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and
                                       sys.argv[3] != '--all'):
        sys.exit('usage: crosscheck-table.py KEEP TRACES [--all]')
    keep, traces = sys.argv[1], sys.argv[2]
    show_all = len(sys.argv) == 4
    cols = []
    for line in open(os.path.join(keep, 'columns')):
        key, title, absent = (line.rstrip('\n').split('\t') + [''])[:3]
        cols.append((key, title, absent))

    rows = []  # (row name, [(class, reason) per column])
    for kind in ('conf', 'guest'):
        data = {k: read_cases(os.path.join(keep, f'{k}.{kind}'))
                for k, _, _ in cols}
        paths = sorted(set().union(*(set(d) for d in data.values())))
        for p in paths:
            cells = []
            for k, _, absent in cols:
                here = os.path.exists(os.path.join(keep, f'{k}.{kind}'))
                cells.append(case_cell(data[k], p, absent or
                                       ('' if here else 'not run')))
            rows.append((p, cells))

    allow = read_allow(os.path.join(traces, 'intentional-divergences'))
    booted_allow = read_allow(os.path.join(traces,
                                           'intentional-divergences.booted'))
    for name in sorted(f for f in os.listdir(traces) if f.endswith('.trace')):
        base = name[:-len('.trace')]
        ops = trace_ops(os.path.join(traces, name))

        def results(path):
            if not os.path.exists(path):
                return None
            return [line.rstrip('\n') for line in open(path)]
        expected = results(os.path.join(traces, base + '.expected'))
        native = results(os.path.join(keep, 'native.' + base))
        for i, line in enumerate(ops):
            cells = []
            for k, _, absent in cols:
                mine = results(os.path.join(keep, f'{k}.{base}'))
                if absent or mine is None:
                    cells.append(('-', ''))
                    continue
                if mine and mine[0].startswith('# skip: '):
                    cells.append(('skip', mine[0][len('# skip: '):]))
                    continue
                if k == 'native':
                    ref, al = expected, allow
                    nat, lin = (mine[i] if i < len(mine) else None,
                                ref[i] if ref and i < len(ref) else None)
                else:
                    al = booted_allow if k.startswith('booted') else allow
                    nat = native[i] if native and i < len(native) else None
                    lin = mine[i] if i < len(mine) else None
                if nat is None or lin is None:
                    cells.append(('unexplained', 'no result'))
                elif nat == lin:
                    cells.append(('agree', ''))
                elif al.get((name, line), (None, None))[:2] == (nat, lin):
                    reason = al[(name, line)][2]
                    cls = ('version' if VERSION.match(reason)
                           else 'intentional')
                    cells.append((cls, f"native '{nat}', linux '{lin}': "
                                  f'{reason}'))
                else:
                    cells.append(('unexplained',
                                  f"native '{nat}', linux '{lin}'"))
            rows.append((f'{name}:{line}', cells))

    short = {'agree': 'agree', 'version': 'version', 'intentional':
             'intentional', 'unexplained': 'UNEXPLAINED', 'skip': 'skip',
             '-': '-'}
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'behaviour':<{width}}  " +
          '  '.join(f'{"col " + str(i + 1):<11}' for i in range(len(cols))))
    notes = []
    for name, cells in rows:
        if show_all or any(c[0] not in ('agree', '-') for c in cells):
            print(f'{name:<{width}}  ' +
                  '  '.join(f'{short[c[0]]:<11}' for c in cells))
        for i, (cls, reason) in enumerate(cells):
            if cls not in ('agree', '-') and reason:
                notes.append(f'  col {i + 1} {name}: {cls}: {reason}')
    if not show_all:
        print('(rows that agree wherever they ran are left out; '
              'the file lists them all)')
    print('\nColumns:')
    for i, (k, title, absent) in enumerate(cols):
        print(f'  col {i + 1}: {title}' + (f' -- absent: {absent}'
                                           if absent else ''))
    if notes:
        print('\nReasons:')
        print('\n'.join(notes))
    print('\nSummary per column:')
    bad = 0
    for i, (k, title, absent) in enumerate(cols):
        count = {c: 0 for c in short}
        for _, cells in rows:
            count[cells[i][0]] += 1
        bad += count['unexplained']
        if absent:
            print(f'  col {i + 1} {title}: absent ({absent})')
            continue
        print(f"  col {i + 1} {title}: {count['agree']} agree, "
              f"{count['intentional']} intentional, {count['version']} "
              f"version, {count['unexplained']} unexplained, "
              f"{count['skip']} skipped, {count['-']} not run")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

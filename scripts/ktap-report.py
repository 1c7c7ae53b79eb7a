#!/usr/bin/env python3
"""Turn a gmemvisor KTAP document into JUnit XML and a JSON summary, for CI
dashboards.

usage: ktap-report.py [--junit FILE] [--json FILE] [--name NAME]
                      [--run-failed REASON] [KTAP-FILE | -- COMMAND ARGS...]

Reads KTAP-FILE (standard input when absent or "-"), or runs COMMAND (a
host runner such as build/host/unit-tests), passing its standard output
through as it comes and reading the KTAP from it. At least one of --junit
and --json is required.

JUnit: one <testsuite> per suite that holds cases, named by its dotted path
("suite.child", the path --filter matches); a <testcase> per case with its
suite as classname; a failed case holds <failure message="..."> (the note of
its result line, else its first diagnostic) with the diagnostic lines the
case printed before its result; a skipped case holds <skipped message=
"REASON">. KTAP carries no times, so no time attributes are written.
JSON: {"passed": N, "failed": N, "skipped": N, "cases": [{"path", "result"
("pass", "fail" or "skip"), "reason" (a skip's reason, a failure's note;
only when there is one), "diagnostics" (a failure's lines; only when
there are some)}]}, on one line.

A document that does not say the run ended well (no "KTAP version 1" line,
no summary line, a summary that disagrees with the cases), a COMMAND that
exits non-zero or cannot be run, or --run-failed REASON (the caller saw the
run fail: a timeout, a panic) with no failed case in the document, adds one
failed case "(run)" whose reason says why, so both reports say the run
failed; the reasons found here also go to standard error.

Exit status: 2 for a bad command line or a report that cannot be written;
with COMMAND, COMMAND's status, or 1 when it exited 0 but the document is
bad; otherwise 1 when the document is bad, 0 when it is whole (failed cases
or not).
"""
import json
import re
import sys

sys.dont_write_bytecode = True
import ktapdoc  # noqa: E402  (scripts/, beside this file)

RUN = '(run)'
# Characters XML 1.0 cannot hold (section 2.2, production Char).
NOT_XML = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def usage(msg):
    print(f'ktap-report.py: {msg}', file=sys.stderr)
    print(__doc__.split('\n\n')[1], file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    opt = {'junit': None, 'json': None, 'name': 'gmemvisor',
           'run_failed': None, 'input': None, 'command': None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--':
            opt['command'] = argv[i + 1:]
            if not opt['command']:
                usage('-- needs a command')
            break
        if a in ('--junit', '--json', '--name', '--run-failed'):
            if i + 1 >= len(argv) or not argv[i + 1]:
                usage(f'{a} needs a value')
            opt[a[2:].replace('-', '_')] = argv[i + 1]
            i += 2
            continue
        if a.startswith('--') or opt['input'] is not None:
            usage(f'unexpected argument {a}')
        opt['input'] = a
        i += 1
    if not opt['junit'] and not opt['json']:
        usage('give --junit FILE, --json FILE or both')
    if opt['command'] and opt['input']:
        usage('give a KTAP file or a command, not both')
    return opt


def run_command(cmd):
    """Run cmd, echo its standard output live; return (lines, status)."""
    import subprocess  # here: only this mode needs it, and it is slow
    lines = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    except OSError as e:
        return lines, f'cannot run {cmd[0]}: {e.strerror}'
    echo = True
    try:
        for raw in proc.stdout:
            lines.append(raw.decode('utf-8', 'replace'))
            if not echo:
                continue
            try:
                sys.stdout.buffer.write(raw)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                echo = False  # the reader went away; the reports still come
    except KeyboardInterrupt:
        pass  # the runner got the interrupt too: its status says so
    return lines, proc.wait()


def problems_of(doc):
    if not doc.header:
        return ['no KTAP document (no "KTAP version 1" line)']
    if doc.summary is None:
        where = f' inside suite {doc.open_suites[-1]}' if doc.open_suites else ''
        return [f'the KTAP document ends early{where}: no summary line '
                '(truncated run?)']
    counts = tuple(sum(c.result == r for c in doc.cases)
                   for r in ('pass', 'fail', 'skip'))
    if counts != doc.summary:
        return ['the summary line says %d passed, %d failed, %d skipped; '
                'the cases say %d, %d, %d' % (doc.summary + counts)]
    return []


def text(s):
    """s as XML character data: no markup, no character XML cannot hold."""
    s = NOT_XML.sub('\ufffd', s)
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def attr(s):
    """s as a quoted XML attribute value; line breaks kept as references."""
    s = text(s).replace('"', '&quot;')
    return '"' + s.replace('\n', '&#10;').replace('\r', '&#13;').replace(
        '\t', '&#9;') + '"'


def junit(doc, name):
    suites = {}
    for c in doc.cases:
        suites.setdefault(c.suite or '(top)', []).append(c)

    def counts(cases):
        n = {r: sum(c.result == r for c in cases) for r in ('fail', 'skip')}
        return (f'tests="{len(cases)}" failures="{n["fail"]}" errors="0" '
                f'skipped="{n["skip"]}"')

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name={attr(name)} {counts(doc.cases)}>']
    for suite, cases in suites.items():
        out.append(f'  <testsuite name={attr(suite)} {counts(cases)}>')
        for c in cases:
            head = f'    <testcase name={attr(c.name)} classname={attr(suite)}'
            if c.result == 'pass':
                out.append(head + '/>')
                continue
            out.append(head + '>')
            if c.result == 'skip':
                out.append(f'      <skipped message={attr(c.note)}/>')
            else:
                msg = c.note or (c.diags[0] if c.diags else 'failed')
                body = text('\n'.join(c.diags))
                out.append(f'      <failure message={attr(msg)}>{body}'
                           '</failure>')
            out.append('    </testcase>')
        out.append('  </testsuite>')
    out.append('</testsuites>')
    return '\n'.join(out) + '\n'


def summary_json(doc):
    cases = []
    for c in doc.cases:
        d = {'path': c.path, 'result': c.result}
        if c.note:
            d['reason'] = c.note
        if c.result == 'fail' and c.diags:
            d['diagnostics'] = c.diags
        cases.append(d)
    out = {key: sum(c.result == r for c in doc.cases) for key, r in
           (('passed', 'pass'), ('failed', 'fail'), ('skipped', 'skip'))}
    out['cases'] = cases
    return json.dumps(out) + '\n'


def write(path, text):
    try:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    except OSError as e:
        print(f'ktap-report.py: cannot write {path}: {e.strerror}',
              file=sys.stderr)
        sys.exit(2)


def main():
    opt = parse_args(sys.argv[1:])
    status = None
    if opt['command']:
        lines, status = run_command(opt['command'])
    elif opt['input'] in (None, '-'):
        lines = sys.stdin.buffer.read().decode('utf-8', 'replace')
        lines = lines.splitlines()
    else:
        try:
            with open(opt['input'], 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
        except OSError as e:
            print(f'ktap-report.py: cannot read {opt["input"]}: '
                  f'{e.strerror}', file=sys.stderr)
            lines = []
            status = f'cannot read {opt["input"]}'

    doc = ktapdoc.parse(lines)
    problems = problems_of(doc)
    failed = any(c.result == 'fail' for c in doc.cases)
    if isinstance(status, str):
        problems.append(status)
    elif status and not failed:
        how = (f'killed by signal {-status}' if status < 0
               else f'exited with status {status}')
        problems.append(f'{opt["command"][0]} {how}')
    for p in problems:
        print(f'ktap-report.py: {p}', file=sys.stderr)
    if opt['run_failed'] and not failed:
        problems.append(opt['run_failed'])  # the caller says it
    if problems:
        doc.cases.append(ktapdoc.Case(RUN, RUN, RUN, 'fail',
                                      '; '.join(problems), []))

    if opt['junit']:
        write(opt['junit'], junit(doc, opt['name']))
    if opt['json']:
        write(opt['json'], summary_json(doc))
    if isinstance(status, int):
        if status < 0:
            return 128 - status
        return status or (1 if problems else 0)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

"""Parse a gmemvisor KTAP document (lib/ktap.h prints it) into its cases.

Shared by scripts/ktap-cases.py (one line per case) and
scripts/ktap-report.py (JUnit XML and JSON). The layout lib/ktap.c prints:
a suite at depth D opens with "KTAP version 1", "# Subtest: NAME" and its
plan, indented 4*D spaces; its cases, and the diagnostics ("# ...") a case
prints before its result line, sit at the same indent; the line closing the
suite ("ok N NAME" / "not ok N NAME") sits at depth D-1. The document ends
with "N passed, N failed, N skipped" at column 0. Lines before the first
"KTAP version 1" at column 0 (firmware output on the serial log) are not
part of the document.
"""
import re

RESULT = re.compile(r'^(not ok|ok) (\d+) (\S+)(?: # (SKIP)? ?(.*))?$')
SUMMARY = re.compile(r'^(\d+) passed, (\d+) failed, (\d+) skipped$')
SUBTEST = '# Subtest: '
HEADER = 'KTAP version 1'


class Case:
    """One case: its dotted path, 'pass', 'fail' or 'skip', the note after
    '#' on its result line (a skip's reason, a failure's note) and the
    diagnostic lines (without '# ') printed before it at its level."""

    def __init__(self, path, suite, name, result, note, diags):
        self.path = path
        self.suite = suite
        self.name = name
        self.result = result
        self.note = note
        self.diags = diags


class Document:
    """The cases of one document, in order, and what its shape says:
    header (a "KTAP version 1" line was seen), summary (the summary line's
    (passed, failed, skipped), or None), comments (every "# ..." line's text
    after "# ", in order) and open_suites (suites never closed)."""

    def __init__(self):
        self.cases = []
        self.header = False
        self.summary = None
        self.comments = []
        self.open_suites = []


def parse(lines):
    doc = Document()
    names = {}  # indent level -> name of the open subtest at that level
    diags = {}  # indent level -> diagnostics since the last result there

    for raw in lines:
        line = raw.rstrip('\r\n')
        body = line.lstrip(' ')
        level = (len(line) - len(body)) // 4
        if line == HEADER:
            doc.header = True
        if not doc.header or body == HEADER:
            continue  # firmware output before the document, a header
        if body.startswith(SUBTEST):
            names = {k: v for k, v in names.items() if k < level}
            names[level] = body[len(SUBTEST):]
            diags = {k: v for k, v in diags.items() if k < level}
            continue
        if body.startswith('#'):
            text = body[2:] if body.startswith('# ') else body[1:]
            doc.comments.append(text)
            diags.setdefault(level, []).append(text)
            continue
        m = SUMMARY.match(line)
        if m:
            doc.summary = tuple(int(g) for g in m.groups())
            continue
        m = RESULT.match(body)
        if not m:
            continue
        before = diags.pop(level, [])
        ok, _, name, skip, note = m.groups()
        if names.get(level + 1) == name:
            del names[level + 1]  # the line closing a suite
            continue
        suite = '.'.join(names[k] for k in sorted(names) if k <= level)
        path = f'{suite}.{name}' if suite else name
        if ok == 'not ok':
            result = 'fail'
        elif skip:
            result = 'skip'
        else:
            result = 'pass'
        doc.cases.append(Case(path, suite, name, result, note or '', before))
    doc.open_suites = ['.'.join(names[k] for k in sorted(names) if k <= lv)
                       for lv in sorted(names)]
    return doc

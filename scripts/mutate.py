#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/mutate.py - mutation testing of hv/ (`make mutate`).

Plants one bug at a time (a mutant) in a scratch copy of the tree, builds
the host tools and runs the fast suites on it: the host unit tests, the
conformance cases on the native backend, and every traces/*.trace and
traces/rmp/*.trace on the native backend, whose output must stay what the unmutated tree prints.
A mutant is killed when a suite fails or crashes, times out when it runs
past the per-mutant limit, fails to build, or survives. Known equivalent
mutants (scripts/mutate-equivalents, each with its reason) are skipped.
The operators and the files are in scripts/mutate-catalogue.

Usage: scripts/mutate.py [--list [--diff]] [--only PATTERNS] [--seed N]
                         [--seconds N] [--timeout N] [--suites LIST]
Environment (what `make mutate` passes on):
  MUTATE_SECONDS  time budget for the whole run (default 600)
  MUTATE_TIMEOUT  limit for one mutant's test runs, in seconds (default 60)
  MUTATE_SEED     order in which mutants are tried (default 1)
  MUTATE_ONLY     comma-separated globs: a mutant runs when one matches its
                  file, file:line, operator or id (e.g. 'hv/alloc.c',
                  'hv/gmem.c:1??', 'call-skip', 'a1b2c3d4e5')
  MUTATE_SUITES   the suites run on each mutant, comma-separated:
                  unit[:GLOB] (the unit tests, only the cases GLOB selects),
                  conformance (on native), traces:GLOB (each trace on
                  native, its output unchanged); default
                  unit,conformance,traces:traces/*.trace,
                  traces:traces/rmp/*.trace. A narrow list says what those
                  suites alone catch (e.g. unit:rmp.*,traces:traces/rmp/*)
  MUTATE_SAN=1    run the unit tests built with ASan+UBSan
  MUTATE_QEMU=1   also run the payload under QEMU for mutants the host
                  suites do not kill, and mutate the qemu-only files
  MUTATE_KEEP=1   keep the scratch copy
Exit status: 0 when no mutant survived, 1 when one did, 2 on a usage
error or when the unmutated tree does not pass.
Results: build/mutate/report.txt and build/mutate/results.tsv.
"""

import argparse
import codecs
import difflib
import fnmatch
import glob
import hashlib
import os
import random
import shlex
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(TOP, "scripts", "mutate-catalogue")
EQUIVALENTS = os.path.join(TOP, "scripts", "mutate-equivalents")
TARGETS = ["build/host/unit-tests", "build/host/conformance-linux",
           "build/host/gmem-replay"]
SAN_TARGET = "build/host-san/unit-tests"
MUTANT_WARN = ("-Wall -Wextra -Werror -Wno-unused-parameter "
               "-Wno-unused-variable -Wno-unused-but-set-variable "
               "-Wno-unused-function")


def die(msg):
    print("mutate: " + msg, file=sys.stderr)
    sys.exit(2)


# ------------------------------------------------------------ catalogue

class Catalogue:
    def __init__(self, path):
        self.files, self.exclude, self.qemu_only = [], [], []
        self.qemu_ids, self.san_ids = set(), set()
        self.ops = {}
        self.scoped_ops = []  # (glob, op, arg): op only on files matching glob
        self.plants = []
        with open(path) as f:
            for n, line in enumerate(f, 1):
                try:
                    words = shlex.split(line, comments=True)
                except ValueError as e:
                    die("%s:%d: %s" % (path, n, e))
                if not words:
                    continue
                kind, args = words[0], words[1:]
                if kind == "plant" and len(args) == 3:
                    old, new = (codecs.decode(a, "unicode_escape")
                                for a in args[1:])
                    self.plants.append((args[0], old, new, n))
                elif kind == "files":
                    self.files += args
                elif kind == "exclude":
                    self.exclude += args
                elif kind in ("qemu-only", "san-only"):
                    for a in args:
                        if re.fullmatch(r"[0-9a-f]{10}", a):
                            (self.qemu_ids if kind == "qemu-only" else
                             self.san_ids).add(a)
                        elif kind == "qemu-only":
                            self.qemu_only.append(a)
                        else:
                            die("%s:%d: san-only takes mutant ids" %
                                (path, n))
                elif kind == "op" and args and args[0] in OPERATORS:
                    self.ops[args[0]] = args[1] if len(args) > 1 else None
                elif (kind == "op-in" and len(args) in (2, 3) and
                      args[1] in OPERATORS):
                    self.scoped_ops.append(
                        (args[0], args[1], args[2] if len(args) > 2
                         else None))
                else:
                    die("%s:%d: cannot read '%s'" % (path, n, line.strip()))

    def sources(self, with_qemu):
        out = set()
        for g in self.files:
            out.update(os.path.relpath(p, TOP)
                       for p in glob.glob(os.path.join(TOP, g)))
        skip = self.exclude + ([] if with_qemu else self.qemu_only)
        return sorted(p for p in out
                      if not any(fnmatch.fnmatch(p, g) for g in skip))


def read_equivalents(path):
    """id -> (where, reason); every entry must give its reason."""
    eq = {}
    if not os.path.exists(path):
        return eq
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = line.split(None, 3)
            if len(words) < 4 or not re.fullmatch(r"[0-9a-f]{10}", words[0]):
                die("%s:%d: want 'ID FILE:LINE OP REASON'" % (path, n))
            eq[words[0]] = (words[1], words[3].strip())
    return eq


# ------------------------------------------------------------- C text

def mask(text, keep_pp=False):
    """The text with comments, string and character literals and
    preprocessor lines blanked (newlines kept), so that operators only
    match code; offsets are the same as in text. With keep_pp, the
    preprocessor lines stay (for the initializers a macro holds)."""
    out = list(text)
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#" and not keep_pp:
            # A preprocessor line, with its continuations.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out[i] = " "
                    i += 2
                    continue
                out[i] = " "
                i += 1
            continue
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def match_paren(m, i):
    """Index of the ')' closing the '(' at m[i], or -1."""
    depth = 0
    for j in range(i, len(m)):
        if m[j] == "(":
            depth += 1
        elif m[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def is_assign(m, j):
    return (m[j] == "=" and m[j - 1] not in "=!<>" and
            (j + 1 >= len(m) or m[j + 1] != "="))


def operand_right(m, i):
    """End of the operand that starts at i (after && or ||)."""
    depth, j = 0, i
    while j < len(m):
        c = m[j]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth < 0:
                break
        elif depth == 0 and (c in ";,?:{}" or m.startswith("&&", j) or
                             m.startswith("||", j) or is_assign(m, j)):
            break
        j += 1
    while j > i and m[j - 1].isspace():
        j -= 1
    return j


def operand_left(m, i):
    """Start of the operand that ends at i (before && or ||)."""
    depth, j = 0, i
    while j > 0:
        c = m[j - 1]
        if c in ")]":
            depth += 1
        elif c in "([":
            depth -= 1
            if depth < 0:
                break
        elif depth == 0 and (c in ";,?:{}" or m[j - 2:j] in ("&&", "||") or
                             is_assign(m, j - 1)):
            break
        elif depth == 0 and re.search(r"(^|\W)return$", m[max(0, j - 7):j]):
            break
        j -= 1
    while j < i and m[j].isspace():
        j += 1
    return j


# ------------------------------------------------------------ operators
# Each yields (start, end, replacement) over the file's text; m is its
# masked copy.

BOUNDARY = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}


def op_cmp_boundary(text, m, arg):
    for i in range(1, len(m) - 1):
        two = m[i:i + 2]
        if two in ("<=", ">=") and m[i - 1] not in "<>" and m[i + 2] != "=":
            yield i, i + 2, BOUNDARY[two]
        elif (m[i] in "<>" and m[i + 1] not in "<>=" and
              m[i - 1] not in "<>-"):
            yield i, i + 1, BOUNDARY[m[i]]


def op_cmp_negate(text, m, arg):
    for i in range(1, len(m) - 1):
        two = m[i:i + 2]
        if two in ("==", "!=") and m[i - 1] not in "=!<>" and m[i + 2] != "=":
            yield i, i + 2, "!=" if two == "==" else "=="


def op_cond_drop(text, m, arg):
    for mo in re.finditer(r"&&|\|\|", m):
        i, j = mo.start(), mo.end()
        left = operand_left(m, i)
        right = operand_right(m, j)
        k = i
        while k > left and m[k - 1].isspace():
            k -= 1
        if left < k and j < right:
            yield k, right, ""        # A && B -> A
            r = j
            while r < right and m[r].isspace():
                r += 1
            yield left, r, ""         # A && B -> B


GUARD_STMT = re.compile(r"\s*(return\b|goto\b|break\s*;|continue\s*;)")


def guards(m):
    """(if_start, cond_open, cond_close, stmt_end, stmt_text_start) of each
    'if (C) return/goto/break/continue ...;' without braces or else."""
    for mo in re.finditer(r"(?<![\w])if\s*\(", m):
        open_ = mo.end() - 1
        close = match_paren(m, open_)
        if close < 0:
            continue
        st = GUARD_STMT.match(m, close + 1)
        if not st:
            continue
        end = m.find(";", close + 1)
        if end < 0:
            continue
        rest = re.match(r"\s*else\b", m[end + 1:])
        if rest:
            continue
        yield mo.start(), open_, close, end + 1, st.start(1)


def op_guard_drop(text, m, arg):
    for _, open_, close, _, _ in guards(m):
        yield open_ + 1, close, "0"


def op_call_skip(text, m, arg):
    names = re.compile(r"(?:%s)" % (arg or "zap|flush"))
    call = re.compile(r"^[ \t]*((?:[A-Za-z_]\w*(?:->|\.))*([A-Za-z_]\w*))"
                      r"\s*\(", re.M)
    for mo in call.finditer(m):
        if not names.search(mo.group(2)):
            continue
        if mo.group(2) in ("if", "while", "for", "switch", "return",
                           "sizeof"):
            continue
        close = match_paren(m, mo.end() - 1)
        if close < 0:
            continue
        semi = re.match(r"\s*;", m[close + 1:])
        if not semi:
            continue
        yield mo.start(1), close + 1 + semi.end(), "(void)0;"


def op_off_by_one(text, m, arg):
    for mo in re.finditer(r"\s+[-+]\s+1(?![\w.])", m):
        yield mo.start(), mo.end(), ""


def op_swap_checks(text, m, arg):
    gs = list(guards(m))
    for a, b in zip(gs, gs[1:]):
        if m[a[3]:b[0]].strip():
            continue
        sa, sb = text[a[0]:a[3]], text[b[0]:b[3]]
        if text[a[4]:a[3]].split() == text[b[4]:b[3]].split():
            continue
        # The two guards swap places; the text between stays.
        yield a[0], b[3], sb + text[a[3]:b[0]] + sa


NUMBER = re.compile(r"(?<![\w.])(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)(?![\w.])")


def op_const_off(text, m, arg):
    """An integer constant one off: n -> n + 1 and n -> n - 1 (0 -> 1)."""
    for mo in NUMBER.finditer(m):
        lit, suffix = mo.group(1), mo.group(2)
        v = int(lit, 0)
        hexa = lit[:2].lower() == "0x"
        for w in (v + 1, v - 1):
            if w < 0:
                continue
            yield mo.start(), mo.end(), (hex(w) if hexa else str(w)) + suffix


def op_bool_swap(text, m, arg):
    """true <-> false."""
    for mo in re.finditer(r"\b(true|false)\b", m):
        yield mo.start(), mo.end(), ("false" if mo.group(1) == "true"
                                     else "true")


def op_not_drop(text, m, arg):
    """A logical negation dropped: !x -> x."""
    for mo in re.finditer(r"!(?!=)", m):
        yield mo.start(), mo.end(), ""


def binary_at(m, i):
    """Is the operator at m[i] binary (an operand ends just before it)?"""
    j = i - 1
    while j >= 0 and m[j] in " \t\n":
        j -= 1
    return j >= 0 and (m[j].isalnum() or m[j] in "_)]")


def op_arith_swap(text, m, arg):
    """Binary + <-> -."""
    for i, c in enumerate(m):
        if c not in "+-" or not binary_at(m, i):
            continue
        if m[i + 1:i + 2] in ("+", "-", "=", ">") or m[i - 1] in "+-":
            continue
        yield i, i + 1, "-" if c == "+" else "+"


def op_bit_swap(text, m, arg):
    """Binary & <-> | (not && or ||)."""
    for i, c in enumerate(m):
        if c not in "&|" or not binary_at(m, i):
            continue
        if m[i + 1:i + 2] in ("&", "|") or m[i - 1] in "&|":
            continue
        yield i, i + 1, "|" if c == "&" else "&"


def op_stmt_drop(text, m, arg):
    """An assignment or increment statement (not a declaration) dropped:
    'x = y;', 'x |= y;', 'x++;', '--n;'."""
    stmt = re.compile(r"^[ \t]*((?:\+\+|--)?[A-Za-z_][\w.>\[\]*-]*?"
                      r"\s*(?:[-+*/|&^]?=(?!=)|\+\+|--))", re.M)
    for mo in stmt.finditer(m):
        start = mo.start(1)
        first = re.match(r"[A-Za-z_]\w*", m[start:].lstrip("+-"))
        if first and first.group(0) in ("return", "if", "while", "for",
                                        "case", "else", "do"):
            continue
        end = m.find(";", start)
        if end < 0:
            continue
        yield start, end + 1, "(void)0;"


def op_ident_swap(text, m, arg):
    """Each name matching the regex ARG replaced by the next one of the
    same family used in the file (RMP_FAIL_INPUT -> RMP_FAIL_INUSE...)."""
    rx = re.compile(r"\b(?:%s)\b" % arg)
    names = sorted(set(mo.group(0) for mo in rx.finditer(m)))
    if len(names) < 2:
        return
    for mo in rx.finditer(m):
        k = names.index(mo.group(0))
        yield mo.start(), mo.end(), names[(k + 1) % len(names)]


def op_init_drop(text, m, arg):
    """A member of a designated initializer dropped: '.split = snp_split,'
    (in code or in a macro: a cc_ops hook that is never set)."""
    mp = mask(text, keep_pp=True)
    for mo in re.finditer(r"(?<![\w)\]])\.([A-Za-z_]\w*)\s*=(?!=)", mp):
        k = mo.start() - 1
        while k >= 0 and mp[k] in " \t\n\\":
            k -= 1
        if k < 0 or mp[k] not in "{,":
            continue
        depth, j = 0, mo.end()
        while j < len(mp):
            c = mp[j]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                j += 1
                break
            elif c == ";" and depth == 0:
                break
            j += 1
        yield mo.start(), j, ""


OPERATORS = {
    "cmp-boundary": op_cmp_boundary,
    "cmp-negate": op_cmp_negate,
    "cond-drop": op_cond_drop,
    "guard-drop": op_guard_drop,
    "call-skip": op_call_skip,
    "off-by-one": op_off_by_one,
    "swap-checks": op_swap_checks,
    "const-off": op_const_off,
    "bool-swap": op_bool_swap,
    "not-drop": op_not_drop,
    "arith-swap": op_arith_swap,
    "bit-swap": op_bit_swap,
    "stmt-drop": op_stmt_drop,
    "ident-swap": op_ident_swap,
    "init-drop": op_init_drop,
}


# -------------------------------------------------------------- mutants

class Mutant:
    def __init__(self, path, op, text, start, end, repl, dup):
        self.path, self.op = path, op
        self.start, self.end, self.repl = start, end, repl
        self.line = text.count("\n", 0, start) + 1
        ls = text.rfind("\n", 0, start) + 1
        le = text.find("\n", end)
        le = len(text) if le < 0 else le
        ctx = text[ls:le]
        col = start - ls - (len(ctx) - len(ctx.lstrip()))
        key = "\0".join([path, op, " ".join(ctx.split()), str(col),
                         text[start:end], repl, str(dup)])
        self.id = hashlib.sha1(key.encode()).hexdigest()[:10]
        self.fate, self.detail, self.seconds = None, "", 0.0

    def where(self):
        return "%s:%d" % (self.path, self.line)

    def apply(self, text):
        return text[:self.start] + self.repl + text[self.end:]

    def diff(self, text):
        new = self.apply(text)
        lines = difflib.unified_diff(text.splitlines(True),
                                     new.splitlines(True),
                                     "a/" + self.path, "b/" + self.path, n=1)
        return "".join(lines)


def generate(cat, paths):
    out = []
    for path in paths:
        with open(os.path.join(TOP, path)) as f:
            text = f.read()
        m = mask(text)
        seen = {}
        ops = list(cat.ops.items()) + [
            (op, arg) for g, op, arg in cat.scoped_ops
            if fnmatch.fnmatch(path, g)]
        for op, arg in ops:
            for start, end, repl in OPERATORS[op](text, m, arg):
                if text[start:end] == repl:
                    continue
                k = (op, start, end, repl)
                if k in seen:
                    continue
                seen[k] = True
                out.append((path, op, text, start, end, repl))
    for path, old, new, n in cat.plants:
        with open(os.path.join(TOP, path)) as f:
            text = f.read()
        if text.count(old) != 1:
            die("%s:%d: the text to plant in %s occurs %d times, not once" %
                (CATALOGUE, n, path, text.count(old)))
        start = text.index(old)
        out.append((path, "planted", text, start, start + len(old), new))
    mutants, dups = [], {}
    for path, op, text, start, end, repl in out:
        probe = Mutant(path, op, text, start, end, repl, 0)
        d = dups.get(probe.id, 0)
        dups[probe.id] = d + 1
        mutants.append(probe if d == 0 else
                       Mutant(path, op, text, start, end, repl, d))
    return mutants


def selected(mu, patterns):
    if not patterns:
        return True
    names = [mu.path, mu.where(), mu.op, mu.id]
    return any(fnmatch.fnmatch(n, p) for p in patterns for n in names)


# ------------------------------------------------------------- running

def run(cmd, cwd, timeout, out=None):
    """(status, output); status None on timeout. The whole process group
    goes on timeout."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        data, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None, ""
    return p.returncode, data.decode(errors="replace")


def first_failure(output, last=False):
    """The path (suite.case) of the first failed KTAP case, or ""; with
    last, the path of the last case that reported at all."""
    suites, seen = [], ""
    for line in output.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 4
        s = line.strip()
        if s.startswith("# Subtest: "):
            # A suite's header is indented like its cases.
            del suites[max(depth - 1, 0):]
            suites.append(s[len("# Subtest: "):])
        elif s.startswith("not ok ") and "# SKIP" not in s and not last:
            return ".".join(suites[:depth] + [s.split(None, 3)[-1]])
        elif s.startswith(("ok ", "not ok ")):
            name = s.split(" # ")[0].split()[-1]
            seen = ".".join(suites[:depth] + [name])
    return seen if last else ""


class Scratch:
    """A copy of the tree (tracked and untracked files, and the host build
    with its timestamps, so that only what a mutant changes is rebuilt)."""

    def __init__(self, san, qemu, suites):
        self.suites = suites
        self.dir = tempfile.mkdtemp(prefix="gmv-mutate-", dir="/tmp")
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=TOP, check=True, stdout=subprocess.PIPE).stdout
        for rel in files.decode().split("\0"):
            if not rel or not os.path.isfile(os.path.join(TOP, rel)):
                continue
            dst = os.path.join(self.dir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(TOP, rel), dst)
        builds = ["build/host"] + (["build/host-san"] if san else []) + \
            (["build/efi", "build/guest"] if qemu else [])
        for b in builds:
            if os.path.isdir(os.path.join(TOP, b)):
                shutil.copytree(os.path.join(TOP, b),
                                os.path.join(self.dir, b), symlinks=True)
        self.targets = TARGETS + ([SAN_TARGET] if san else [])
        self.san, self.qemu = san, qemu
        self.trace_out = {}

    def build(self, timeout):
        # A mutant that leaves a variable or a static function unused
        # is still a mutant worth running: those warnings are not errors
        # here (make only rebuilds what the mutant changed).
        return run(["make", "-s", "-j2", "WARN=" + MUTANT_WARN] +
                   self.targets, self.dir, timeout)

    def steps(self):
        """(name, command) of each suite run: the suites selected (see
        parse_suites), in order."""
        unit = SAN_TARGET if self.san else TARGETS[0]
        out = []
        for kind, arg in self.suites:
            if kind == "unit":
                out.append(("unit" + (" " + arg if arg else ""),
                            [unit] + (["--filter", arg] if arg else [])))
            elif kind == "conformance":
                out.append(("conformance",
                            [TARGETS[1], "--backend", "native"]))
            else:
                out += [("trace " + os.path.relpath(t, self.dir),
                         [TARGETS[2], "--backend", "native", t])
                        for t in sorted(glob.glob(os.path.join(self.dir,
                                                               arg)))]
        return out

    def test(self, timeout, record=False):
        """None if every suite passed, else (fate, detail)."""
        deadline = time.time() + timeout
        steps = self.steps()
        for name, cmd in steps:
            left = deadline - time.time()
            if left <= 0:
                return "timeout", name
            status, out = run(cmd, self.dir, left)
            if status is None:
                return "timeout", name
            if name.startswith("trace"):
                if record:
                    self.trace_out[name] = (status, out)
                elif (status, out) != self.trace_out.get(name):
                    return "killed", name + ": output changed"
            elif status < 0:
                return "killed", "%s: signal %d after %s" % (
                    name, -status, first_failure(out, last=True) or "start")
            elif status != 0:
                what = first_failure(out) or "exit status %d" % status
                return "killed", "%s: %s" % (name, what)
        if self.qemu and not record:
            return self.test_qemu(deadline)
        return None

    def test_qemu(self, deadline):
        status, _ = run(["make", "-s", "-j2", "WARN=" + MUTANT_WARN,
                         "payload"], self.dir,
                        max(1, deadline - time.time()) + 300)
        if status != 0:
            return "build", "payload"
        status, out = run(["scripts/run-qemu.sh", "--timeout", "300"],
                          self.dir, 330)
        if status is None:
            return "timeout", "qemu"
        if status != 0:
            return "killed", "qemu: " + (first_failure(out) or
                                         "status %d" % status)
        return None

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


DEFAULT_SUITES = "unit,conformance,traces:traces/*.trace,traces:traces/rmp/*.trace"


def parse_suites(spec):
    """'unit[:GLOB],conformance,traces:GLOB,...' -> [(kind, arg)]: the
    unit tests (only the cases GLOB selects, as --filter), the
    conformance cases on native, the traces GLOB names (relative to the
    top), each on the native backend."""
    out = []
    for word in spec.split(","):
        kind, _, arg = word.strip().partition(":")
        if kind not in ("unit", "conformance", "traces") or \
                (kind == "traces" and not arg) or \
                (kind == "conformance" and arg):
            die("bad suite '%s' (want unit[:GLOB], conformance or "
                "traces:GLOB)" % word)
        out.append((kind, arg))
    return out


def run_mutant(sc, mu, text, timeout):
    path = os.path.join(sc.dir, mu.path)
    t0 = time.time()
    with open(path, "w") as f:
        f.write(mu.apply(text))
    try:
        status, out = sc.build(max(timeout, 300))
        if status is None:
            mu.fate, mu.detail = "build", "build timed out"
        elif status != 0:
            errs = [l for l in out.splitlines() if "error:" in l]
            mu.fate, mu.detail = "build", (errs[0] if errs else "make failed")
        else:
            r = sc.test(timeout)
            mu.fate, mu.detail = r if r else ("survived", "")
    finally:
        with open(path, "w") as f:
            f.write(text)
    mu.seconds = time.time() - t0


# ------------------------------------------------------------ reporting

def report(mutants, texts, ran, eq_skipped, stale, elapsed, budget, args,
           out, left):
    count = {}
    for mu in ran:
        count[mu.fate] = count.get(mu.fate, 0) + 1
    killed = count.get("killed", 0)
    timeout = count.get("timeout", 0)
    survived = count.get("survived", 0)
    built = killed + timeout + survived
    lines = []
    lines.append("mutate: %d mutants selected, %d run in %.0f s (budget %d "
                 "s, seed %d): %d killed, %d timeout, %d survived, %d build "
                 "failures; %d known equivalents skipped; %d not run" %
                 (len(mutants), len(ran), elapsed, budget, args.seed, killed,
                  timeout, survived, count.get("build", 0), eq_skipped,
                  len(mutants) - len(ran)))
    for k, v in left.items():
        if v:
            lines.append("mutate: %d mutants left to %s (scripts/mutate-"
                         "catalogue)" % (v, k))
    if built:
        lines.append("mutate: score %d/%d = %.1f%% (killed + timeout over "
                     "the mutants that built)" %
                     (killed + timeout, built,
                      100.0 * (killed + timeout) / built))
    for s in stale:
        lines.append("mutate: %s: equivalent listed but no such mutant "
                     "(stale entry)" % s)
    surv = [mu for mu in ran if mu.fate == "survived"]
    if surv:
        lines.append("surviving mutants:")
        for mu in sorted(surv, key=lambda x: (x.path, x.line)):
            lines.append("  %s %s %s" % (mu.where(), mu.op, mu.id))
            for d in mu.diff(texts[mu.path]).splitlines():
                lines.append("    " + d)
    text = "\n".join(lines) + "\n"
    out.write(text)
    return text, surv


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", action="store_true",
                    help="list the selected mutants and exit")
    ap.add_argument("--diff", action="store_true",
                    help="with --list: each mutant's diff too")
    ap.add_argument("--only", default=env("MUTATE_ONLY", ""))
    ap.add_argument("--seed", type=int, default=int(env("MUTATE_SEED", "1")))
    ap.add_argument("--seconds", type=int,
                    default=int(env("MUTATE_SECONDS", "600")))
    ap.add_argument("--timeout", type=int,
                    default=int(env("MUTATE_TIMEOUT", "60")))
    ap.add_argument("--suites",
                    default=env("MUTATE_SUITES", DEFAULT_SUITES))
    args = ap.parse_args()
    suites = parse_suites(args.suites)
    san, qemu = env("MUTATE_SAN") == "1", env("MUTATE_QEMU") == "1"
    keep = env("MUTATE_KEEP") == "1"

    cat = Catalogue(CATALOGUE)
    eq = read_equivalents(EQUIVALENTS)
    paths = cat.sources(qemu)
    texts = {}
    for p in set(paths) | {pl[0] for pl in cat.plants}:
        with open(os.path.join(TOP, p)) as f:
            texts[p] = f.read()
    every = generate(cat, paths)
    ids = {mu.id for mu in every}
    stale = sorted("%s %s" % (i, eq[i][0]) for i in eq if i not in ids)
    patterns = [p for p in args.only.split(",") if p]
    chosen = [mu for mu in every if selected(mu, patterns)]
    eq_skipped = sum(1 for mu in chosen if mu.id in eq)
    chosen = [mu for mu in chosen if mu.id not in eq]
    # Mutants only a sanitizer build or the QEMU run can see.
    left = {"MUTATE_SAN=1": cat.san_ids if not san else set(),
            "MUTATE_QEMU=1": cat.qemu_ids if not qemu else set()}
    left = {k: sum(1 for mu in chosen if mu.id in v)
            for k, v in left.items()}
    chosen = [mu for mu in chosen
              if (san or mu.id not in cat.san_ids) and
              (qemu or mu.id not in cat.qemu_ids)]
    random.Random(args.seed).shuffle(chosen)

    if args.list:
        for mu in chosen:
            print("%s %-28s %-13s %s" % (mu.id, mu.where(), mu.op,
                                         " ".join(texts[mu.path][mu.start:mu.end].split())
                                         + " -> " + " ".join(mu.repl.split())))
            if args.diff:
                sys.stdout.write(mu.diff(texts[mu.path]))
        return 0
    if not chosen:
        die("no mutant matches '%s'" % args.only)

    # A SIGTERM ends the run like ^C: the scratch copy is removed.
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))
    t0 = time.time()
    print("mutate: %d mutants over %d files (%d selected, seed %d, budget "
          "%d s, %d s a mutant); scratch copy..." %
          (len(every), len(paths), len(chosen), args.seed, args.seconds,
           args.timeout), flush=True)
    sc = Scratch(san, qemu, suites)
    try:
        status, out = sc.build(1800)
        if status != 0:
            sys.stdout.write(out)
            die("the unmutated tree does not build")
        if sc.test(max(args.timeout, 300), record=True):
            die("the unmutated tree fails its suites")
        print("mutate: baseline built and passed in %.0f s (%s)" %
              (time.time() - t0, sc.dir), flush=True)
        ran = []
        for n, mu in enumerate(chosen, 1):
            if time.time() - t0 >= args.seconds:
                break
            run_mutant(sc, mu, texts[mu.path], args.timeout)
            ran.append(mu)
            print("[%4d/%d] %-8s %-26s %-13s %s %4.1fs %s" %
                  (n, len(chosen), mu.fate.upper(), mu.where(), mu.op, mu.id,
                   mu.seconds, mu.detail), flush=True)
    finally:
        if keep:
            print("mutate: scratch copy kept in " + sc.dir)
        else:
            sc.remove()

    os.makedirs(os.path.join(TOP, "build", "mutate"), exist_ok=True)
    with open(os.path.join(TOP, "build", "mutate", "results.tsv"), "w") as f:
        f.write("id\twhere\top\tfate\tseconds\tdetail\n")
        for mu in ran:
            f.write("%s\t%s\t%s\t%s\t%.1f\t%s\n" %
                    (mu.id, mu.where(), mu.op, mu.fate, mu.seconds,
                     mu.detail))
    text, surv = report(chosen, texts, ran, eq_skipped, stale,
                        time.time() - t0, args.seconds, args, sys.stdout,
                        left)
    with open(os.path.join(TOP, "build", "mutate", "report.txt"), "w") as f:
        f.write(text)
    return 1 if surv else 0


if __name__ == "__main__":
    sys.exit(main())

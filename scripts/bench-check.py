#!/usr/bin/env python3
"""`make bench-check`: compare a `make bench` run with the committed
baseline and report what moved beyond the tolerance. A report, not a test.

usage: scripts/bench-check.py [--time-tolerance F] [--count-tolerance F]
                              RESULTS BASELINE

RESULTS is the run's results.csv (scripts/bench-report.py writes it under
build/bench/), BASELINE the committed bench/baseline.csv; both are CSV
with the header "key,value,kind" and may start with "# " comment lines
(the baseline's say where it was measured). Every value is a cost in
which lower is better: a time ratio (native over Linux, native over the
memset floor, a big layout over a small one, a guest step over the VMRUN
round trip) or a count of instructions per unit (callgrind). A value is
a REGRESSION when it rose by more than the tolerance for its kind
(--time-tolerance, default 1.0, i.e. twice the baseline: on the shared
2-core machine the baseline comes from, with the booted kernel under
TCG, two runs of an unchanged tree differ by up to about 3x in the
worst ratios, mostly those of memory bandwidth; --count-tolerance,
default 0.02: instruction counts move only when the code or the
compiler does), and
"better" when the baseline is more than that above it (the same factor
the other way). Keys only one side has are listed.

Prints one line per regression, improvement, missing or new key, then
"bench-check: N compared, N regressions, N better, N missing, N new".
Exit status 0 (whatever the report says); 2 when it could not run (a
file missing or malformed, a bad option).
"""
import csv
import sys

KINDS = ('time ratio', 'instructions')


def die(msg):
    print(f'bench-check: {msg}', file=sys.stderr)
    sys.exit(2)


def read(path):
    """({key: (value, kind)}, [comment lines]) of a results file."""
    try:
        f = open(path, newline='')
    except OSError as e:
        die(f'cannot read {path}: {e.strerror}')
    comments, body = [], []
    with f:
        for line in f:
            (comments if line.startswith('#') else body).append(line)
    rows = list(csv.reader(body))
    if not rows or rows[0] != ['key', 'value', 'kind']:
        die(f'{path}: the first line (after comments) must be '
            f'"key,value,kind"')
    out = {}
    for n, row in enumerate(rows[1:], start=2 + len(comments)):
        if not row:
            continue
        if len(row) != 3:
            die(f'{path}:{n}: want 3 fields, not {len(row)}')
        key, value, kind = row
        try:
            v = float(value)
        except ValueError:
            die(f'{path}:{n}: value "{value}" is not a number')
        if not v > 0:
            die(f'{path}:{n}: value {value} is not above 0')
        if kind not in KINDS:
            die(f'{path}:{n}: kind "{kind}" is not one of {", ".join(KINDS)}')
        if key in out:
            die(f'{path}:{n}: key "{key}" appears twice')
        out[key] = (v, kind)
    return out, [c.strip() for c in comments]


def main(argv):
    tol = {'time ratio': 1.0, 'instructions': 0.02}
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('--time-tolerance', '--count-tolerance'):
            if i + 1 >= len(argv):
                die(f'{a} needs a value')
            try:
                v = float(argv[i + 1])
            except ValueError:
                v = -1
            if not 0 < v < 10:
                die(f'{a} takes a fraction above 0, e.g. 0.3')
            tol['time ratio' if a == '--time-tolerance' else
                'instructions'] = v
            i += 2
            continue
        if a.startswith('-'):
            die(f'unknown option {a}')
        args.append(a)
        i += 1
    if len(args) != 2:
        die('usage: bench-check.py [--time-tolerance F] '
            '[--count-tolerance F] RESULTS BASELINE')
    cur, cur_notes = read(args[0])
    base, base_notes = read(args[1])
    print(f'bench-check: {args[0]} against {args[1]}; tolerance: time '
          f'ratios {tol["time ratio"]:.0%}, instruction counts '
          f'{tol["instructions"]:.0%}')
    for note in base_notes:
        print(f'  baseline {note}')
    for note in cur_notes:
        print(f'  this run {note}')
    regress = better = missing = 0
    for key in sorted(base):
        b, kind = base[key]
        if key not in cur:
            print(f'  MISSING     {key} (baseline {b:.4g})')
            missing += 1
            continue
        c = cur[key][0]
        change = c / b - 1
        if change > tol[kind]:
            print(f'  REGRESSION  {key}: baseline {b:.4g}, now {c:.4g} '
                  f'({change:+.0%}, {kind})')
            regress += 1
        elif b / c - 1 > tol[kind]:
            print(f'  better      {key}: baseline {b:.4g}, now {c:.4g} '
                  f'({change:+.0%}, {kind})')
            better += 1
    new = sorted(set(cur) - set(base))
    for key in new:
        print(f'  new         {key} = {cur[key][0]:.4g} (not in the '
              f'baseline)')
    compared = len(set(cur) & set(base))
    print(f'bench-check: {compared} compared, {regress} regressions, '
          f'{better} better, {missing} missing, {len(new)} new')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

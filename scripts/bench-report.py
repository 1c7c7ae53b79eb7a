#!/usr/bin/env python3
"""Turn a `make bench` run's raw results into its tables, CSVs and plots.

usage: scripts/bench-report.py OUTDIR

Reads from OUTDIR (scripts/bench.sh writes them):
  side.tsv      bench-linux's output (bench/linux/main.c: "row", "meta",
                "info" lines), native and Linux side by side
  side.where    one line: where the Linux side ran ("booted kernel ...",
                "this host's /dev/kvm") or why it did not
  callgrind.tsv optional: "ROW<tab>INSTRUCTIONS<tab>UNITS" per row
  guest-*.log   optional: the guest-path runs, lines
                "# bench-guest<tab>NAME<tab>MEDIAN<tab>MIN<tab>MAX<tab>N"
                (cycles per operation)
Writes into OUTDIR: ops.csv, growth.csv, curve.csv, meta.csv, guest.csv,
results.csv (the ratios `make bench-check` compares, see
scripts/bench-check.py) and, when gnuplot is there, curve.png, ops.png;
prints the tables. Exit status 0, or 2 when side.tsv is missing or bad.
"""
import csv
import math
import os
import subprocess
import sys

ROW_FIELDS = ['group', 'name', 'unit', 'unit_bytes', 'units',
              'native_range', 'linux_range', 'native', 'native_min',
              'native_max', 'native_mad', 'linux', 'linux_min',
              'linux_max', 'linux_mad', 'floor', 'note']


def die(msg):
    print(f'bench-report: {msg}', file=sys.stderr)
    sys.exit(2)


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def size_name(n):
    n = int(n)
    for unit, div in (('GiB', 1 << 30), ('MiB', 1 << 20), ('KiB', 1 << 10)):
        if n >= div and n % div == 0:
            return f'{n // div} {unit}'
    return f'{n} B'


def fmt_ns(x):
    if x is None:
        return '-'
    if x >= 1e6:
        return f'{x / 1e6:.2f} ms'
    if x >= 1e3:
        return f'{x / 1e3:.2f} us'
    return f'{x:.1f} ns'


def spread(r, side):
    """The median absolute deviation as a share of the median."""
    med, mad = num(r[side]), num(r[side + '_mad'])
    if med is None or mad is None or med <= 0:
        return ''
    return f'{100 * mad / med:.0f}%'


def read_side(path):
    rows, meta, info = [], [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('row\t'):
                parts = line.split('\t')[1:]
                if len(parts) != len(ROW_FIELDS):
                    die(f'{path}: a row line has {len(parts)} fields, '
                        f'not {len(ROW_FIELDS)}: {line[:80]}')
                rows.append(dict(zip(ROW_FIELDS, parts)))
            elif line.startswith('meta\t'):
                layout, nbytes, pages, per_gib = line.split('\t')[1:5]
                meta.append({'layout': layout, 'bytes': nbytes,
                             'backed_pages': pages,
                             'bytes_per_gib_backed': per_gib})
            elif line.startswith('info\t'):
                parts = line.split('\t')
                info[parts[1]] = parts[2] if len(parts) > 2 else ''
    if not rows:
        die(f'{path}: no result rows')
    return rows, meta, info


def read_guest(outdir):
    """{backend: {name: (median, min, max, n)}} from guest-*.log."""
    res = {}
    for fn in sorted(os.listdir(outdir)):
        if not (fn.startswith('guest-') and fn.endswith('.log')):
            continue
        backend = fn[len('guest-'):-len('.log')]
        for line in open(os.path.join(outdir, fn), errors='replace'):
            line = line.strip().replace('\r', '')
            if not line.startswith('# bench-guest\t'):
                continue
            p = line.split('\t')
            if len(p) >= 6:
                res.setdefault(backend, {})[p[1]] = tuple(
                    num(x) for x in p[2:6])
    return res


def write_csv(path, header, rows):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def plot(outdir, script):
    try:
        subprocess.run(['gnuplot'], input=script, text=True, cwd=outdir,
                       check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, 'stderr', '') or str(e)
        print(f'bench-report: gnuplot failed: {err.strip()}')
        return False


def main():
    if len(sys.argv) != 2:
        die('usage: bench-report.py OUTDIR')
    out = sys.argv[1]
    side = os.path.join(out, 'side.tsv')
    if not os.path.exists(side):
        die(f'{side} is missing (run make bench)')
    rows, meta, info = read_side(side)
    where = ''
    if os.path.exists(os.path.join(out, 'side.where')):
        where = open(os.path.join(out, 'side.where')).read().strip()
    ir = {}
    cg = os.path.join(out, 'callgrind.tsv')
    if os.path.exists(cg):
        for line in open(cg):
            p = line.rstrip('\n').split('\t')
            if len(p) == 3 and num(p[1]) and num(p[2]):
                ir[p[0]] = num(p[1]) / num(p[2])
    results = []  # (key, value, what)

    # ------------------------------------------------------------ ops
    print(f'gmem operations, native vs Linux in one run '
          f'(median of {info.get("rounds", "?")} or more rounds, spr = '
          f'median absolute deviation / median; Linux: {where})')
    hdr = ['operation', 'unit', 'native', 'spr', 'Linux', 'spr',
           'Linux/nat', 'memset', 'nat/memset', 'instr/unit']
    table = []
    ops_csv = []
    absent = []
    for r in rows:
        if r['group'] != 'ops':
            continue
        n, lx, fl = num(r['native']), num(r['linux']), num(r['floor'])
        ratio = lx / n if n and lx else None
        nf = n / fl if n is not None and fl else None
        name = r['name']
        if r['linux_range'] != r['native_range'] and lx is not None:
            name += f' (Linux: {size_name(r["linux_range"])})'
        lxs = fmt_ns(lx)
        if lx is None:
            why = r['linux']
            if why not in absent:
                absent.append(why)
            lxs = f'n/a [{absent.index(why) + 1}]'
        table.append([name, r['unit'], fmt_ns(n), spread(r, 'native'), lxs,
                      spread(r, 'linux'),
                      f'{ratio:.2f}' if ratio else '-', fmt_ns(fl),
                      f'{nf:.2f}' if nf else '-',
                      f'{ir[r["name"]]:.0f}' if r['name'] in ir else '-'])
        ops_csv.append([r['name'], r['unit'], r['native_range'],
                        r['linux_range'], r['native'], r['native_min'],
                        r['native_max'], r['native_mad'], r['linux'],
                        r['linux_min'], r['linux_max'], r['linux_mad'],
                        f'{ratio:.4f}' if ratio else '',
                        r['floor'], ir.get(r['name'], ''), r['note']])
        if ratio:
            results.append((f'ops:{r["name"]}:native/linux', 1 / ratio,
                            'time ratio'))
        # Against the floor only where native clears memory (punch and
        # the cycle scrub): elsewhere a ratio of a few hundred
        # nanoseconds to milliseconds of memset is noise.
        if nf and r['name'].startswith(('punch', 'alloc+touch+punch')):
            results.append((f'ops:{r["name"]}:native/memset', nf,
                            'time ratio'))
        if r['name'] in ir:
            results.append((f'ops:{r["name"]}:instructions', ir[r['name']],
                            'instructions'))
    widths = [max(len(str(x[i])) for x in table + [hdr])
              for i in range(len(hdr))]
    for x in [hdr] + table:
        print('  ' + '  '.join(str(v).ljust(widths[i]) if i == 0 else
                               str(v).rjust(widths[i])
                               for i, v in enumerate(x)))
    notes = [(r['name'], r['note']) for r in rows
             if r['group'] == 'ops' and r['note']]
    for i, why in enumerate(absent):
        print(f'  [{i + 1}] Linux: {why}')
    for name, note in notes:
        print(f'  - {name}: {note}')
    write_csv(os.path.join(out, 'ops.csv'),
              ['operation', 'unit', 'native_range', 'linux_range',
               'native_ns', 'native_min', 'native_max', 'native_mad',
               'linux_ns', 'linux_min', 'linux_max', 'linux_mad',
               'linux_over_native',
               'memset_floor_ns', 'native_instructions_per_unit', 'note'],
              ops_csv)

    # ---------------------------------------------------------- growth
    print('\ngrowth: the same operation on a bigger layout '
          '(ratio big/small; flat is 1.00)')
    grow = [r for r in rows if r['group'] == 'growth']
    grcsv = []
    for small, big in zip(grow[0::2], grow[1::2]):
        line = [small['name'].rsplit(', ', 1)[0],
                small['name'].rsplit(', ', 1)[-1],
                big['name'].rsplit(', ', 1)[-1]]
        out_cols = []
        short = f'{line[0]} ({line[1]}->{line[2]})'
        for a, b in (('bind+delete a memslot', 'bind+delete slot'),
                     (' there+back', ''), (' gmem', ''),
                     (' memslots', ' slots'), (' memslot', ' slot'),
                     (' GiB', 'G'), (' TiB', 'T'), (' MiB', 'M'),
                     (' KiB', 'K'), ('first host store', 'host store')):
            short = short.replace(a, b)
        wide = [short]
        for s in ('native', 'linux'):
            a, b = num(small[s]), num(big[s])
            if a and b:
                out_cols += [fmt_ns(a), fmt_ns(b), f'{b / a:.2f}']
                results.append((f'growth:{line[0]} {line[1]}->{line[2]}:'
                                f'{s}', b / a, 'time ratio'))
                wide += [small[s], big[s], f'{b / a:.4f}']
            else:
                out_cols += ['-', '-', 'n/a']
                wide += ['', '', '']
        grcsv.append(wide)
        print(f'  {line[0]:<34} {line[1]:>10} -> {line[2]:<12} native '
              f'{out_cols[0]:>10} {out_cols[1]:>10} x{out_cols[2]:<6} '
              f'Linux {out_cols[3]:>10} {out_cols[4]:>10} x{out_cols[5]}')
    write_csv(os.path.join(out, 'growth.csv'),
              ['operation', 'native_small_ns', 'native_big_ns',
               'native_big_over_small', 'linux_small_ns', 'linux_big_ns',
               'linux_big_over_small'], grcsv)

    # ----------------------------------------------------------- curve
    print('\nconversion cost against its range (ns per call)')
    curve = {}
    for r in rows:
        if r['group'] == 'curve':
            op, rng = r['name'].rsplit(', ', 1)
            curve.setdefault(int(r['native_range']), {})[op] = r
    ccsv = []
    for rng in sorted(curve):
        c = curve[rng]
        conv = c.get('convert to shared', {})
        attr = c.get('attributes to private', {})
        vals = [num(conv.get('native', '')), num(attr.get('native', '')),
                num(attr.get('linux', ''))]
        fl = num(attr.get('floor', '') or conv.get('floor', ''))
        ccsv.append([rng] + ['' if v is None else f'{v:.3f}' for v in vals]
                    + ['' if fl is None else f'{fl:.3f}'])
        print(f'  {size_name(rng):>8}: native convert {fmt_ns(vals[0]):>10}'
              f'  native attributes {fmt_ns(vals[1]):>10}  Linux attributes'
              f' {fmt_ns(vals[2]):>10}  memset {fmt_ns(fl):>10}')
    write_csv(os.path.join(out, 'curve.csv'),
              ['range_bytes', 'native_convert_ns', 'native_attributes_ns',
               'linux_attributes_ns', 'memset_ns'], ccsv)
    first = [num(x) for x in ccsv[0][1:4]] if ccsv else []
    last = [num(x) for x in ccsv[-1][1:4]] if ccsv else []
    for i, what in enumerate(('native convert', 'native attributes',
                              'linux attributes')):
        if first and first[i] and last[i]:
            results.append((f'curve:{what} 1GiB/4KiB', last[i] / first[i],
                            'time ratio'))

    # ------------------------------------------------------------ meta
    if meta:
        print('\nnative gmem metadata (for comparison, not measured: '
              'Linux keeps a 64-byte struct page and about 8 bytes of '
              'page-cache xarray per 4 KiB page, 18874368 bytes per GiB '
              'backed)')
        for m in meta:
            print(f'  {m["layout"]:<36} {int(m["bytes"]):>9} bytes, '
                  f'{int(m["bytes_per_gib_backed"]):>9} per GiB backed')
        write_csv(os.path.join(out, 'meta.csv'),
                  ['layout', 'bytes', 'backed_pages',
                   'bytes_per_gib_backed'],
                  [[m[k] for k in ('layout', 'bytes', 'backed_pages',
                                   'bytes_per_gib_backed')] for m in meta])

    # ----------------------------------------------------------- guest
    guest = read_guest(out)
    gcsv = []
    if guest:
        print('\nguest paths, cycles per operation (median of the rounds, '
              'spread (max-min)/median) and as a ratio to the same run\'s '
              'VMRUN round trip (a hypercall the hypervisor answers '
              'itself)')
    for backend, res in sorted(guest.items()):
        base = res.get('vmrun round trip', (None,))[0]
        for name, (med, lo, hi, n) in res.items():
            r = med / base if med and base else None
            spr = f'{100 * (hi - lo) / med:.0f}%' if med else ''
            print(f'  {backend:<8} {name:<40} {med or 0:>12.0f} cycles '
                  f'{spr:>5}  x{r:.2f}' if r else
                  f'  {backend:<8} {name:<40} {med or 0:>12.0f} cycles')
            gcsv.append([backend, name, med, lo, hi, n,
                         f'{r:.4f}' if r else ''])
            if r and name != 'vmrun round trip':
                results.append((f'guest:{backend}:{name}/vmrun', r,
                                'time ratio'))
    for fn in sorted(os.listdir(out)):
        if fn.startswith('guest-') and fn.endswith('.skip'):
            print(f'  {fn[6:-5]}: skipped: '
                  f'{open(os.path.join(out, fn)).read().strip()}')
    write_csv(os.path.join(out, 'guest.csv'),
              ['backend', 'operation', 'median_cycles', 'min', 'max',
               'ops', 'over_vmrun'], gcsv)

    write_csv(os.path.join(out, 'results.csv'), ['key', 'value', 'kind'],
              [[k, f'{v:.6g}', kind] for k, v, kind in results if v > 0])

    # ----------------------------------------------------------- plots
    plots = []
    if ccsv and plot(out, CURVE_PLOT):
        plots.append('curve.png')
    if ops_csv and plot(out, OPS_PLOT):
        plots.append('ops.png')
    if grcsv and plot(out, GROWTH_PLOT):
        plots.append('growth.png')
    print(f'\nCSV: {out}/{{ops,growth,curve,meta,guest,results}}.csv'
          + (f'; plots: {", ".join(out + "/" + p for p in plots)}'
             if plots else ''))


CURVE_PLOT = r'''
set terminal pngcairo size 800,480 font ",10"
set output 'curve.png'
set datafile separator ','
set key top left
set logscale xy
set xlabel 'range converted (bytes)'
set ylabel 'ns per call'
set title 'conversion cost against range (make bench)'
set xtics ('4K' 4096, '64K' 65536, '2M' 2097152, '64M' 67108864, '1G' 1073741824)
plot 'curve.csv' every ::1 using 1:2 with linespoints title 'native convert (in place)', \
     '' every ::1 using 1:3 with linespoints title 'native attributes', \
     '' every ::1 using 1:4 with linespoints title 'Linux attributes', \
     '' every ::1 using 1:5 with lines dashtype 2 title 'memset of the range'
'''

OPS_PLOT = r'''
set terminal pngcairo size 900,560 font ",9"
set output 'ops.png'
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'ns per unit (log)'
set xtics rotate by -50 scale 0 font ",8"
set bmargin 11
set rmargin 6
set key top left
set title 'gmem operations: native vs Linux, one run (make bench)'
plot 'ops.csv' every ::1 using 5:xtic(1) title 'native', \
     '' every ::1 using 9 title 'Linux', \
     '' every ::1 using 14 title 'memset floor'
'''

GROWTH_PLOT = r'''
set terminal pngcairo size 900,520 font ",9"
set output 'growth.png'
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'cost on the big layout / on the small one'
set xtics rotate by -25 scale 0 font ",8"
set bmargin 7
set rmargin 10
set key top left
set yrange [0:*]
set title 'growth: flat is 1 (make bench)'
plot 'growth.csv' every ::1 using 4:xtic(1) title 'native', \
     '' every ::1 using 7 title 'Linux', \
     1 with lines dashtype 2 lc rgb 'black' notitle
'''

if __name__ == '__main__':
    main()

"""Shared by the benchmark reports (report.py, report_client.py, report_validate.py,
report_verify.py): the aligned text tables, the run's KEY=VALUE facts and the JSON file they write."""
import json
import os


def table(headers, rows, aligns):
    """Prints rows of strings under headers, "<" columns left-aligned and the others right-aligned."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if a == "<" else c.rjust(w) for c, w, a in zip(cells, widths, aligns)).rstrip()
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def run_facts(args):
    """The KEY=VALUE arguments (library, CPU, ...) as the JSON's "run" object."""
    return dict(a.split("=", 1) for a in args if "=" in a)


def write_json(path, doc):
    """Writes doc to path (replaced whole, never half-written) and says so."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print("Written: %s" % path)

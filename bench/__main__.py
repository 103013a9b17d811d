"""Run the benchmarks and print their figures: `python -m bench [name ...]`.

Every module `bench/<name>.py` with a `run(argv)` function is a benchmark; without
names, all of them run one after the other.
"""
import importlib
import pkgutil
import sys

import bench


def available():
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv):
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        print("available:", ", ".join(available()))
        return 0
    names = [a for a in argv if not a.startswith("-")] or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}", file=sys.stderr)
        return 2
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            continue
        print(f"== {name} ==", flush=True)
        module.run([a for a in argv if a.startswith("-")])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

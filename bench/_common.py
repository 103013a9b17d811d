"""Helpers shared by the benchmarks."""


def int_arg(argv, name, default):
    """The integer value of `--name=N` in argv, or `default`."""
    for arg in argv:
        if arg.startswith(f"--{name}="):
            return int(arg.split("=", 1)[1])
    return default


def ensure_database(url):
    """Create the PostgreSQL database named at the end of `url` if it does not exist."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')

"""Fill Solara's asset cache from the npm registry, for a dashboard that works without access to a CDN.

Solara's server fetches its browser code (the Vuetify app, require.js, Font
Awesome, the grid layout) from a CDN on first use and caches it under
``solara.server.settings.assets.proxy_cache_dir``. Where the CDN cannot be
reached (a locked-down workshop laptop, CI), run once::

    python -m orgsim.viz.offline_assets

It finds the packages and versions the installed Solara asks for and unpacks
them from the npm registry (``npm pack``) into that cache. Packages already
cached are skipped.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PATTERN = re.compile(r"((?:@widgetti/)?[a-z][a-z0-9-]*)@(\d+\.\d+\.\d+(?:-[a-z0-9.]+)?)/")
NAMES = ("@widgetti/solara-vuetify3-app", "@widgetti/solara-vuetify-app", "@widgetti/vue-grid-layout",
         "requirejs", "font-awesome")


def wanted_packages() -> set[tuple[str, str]]:
    """``(name, version)`` of the CDN packages the installed Solara refers to."""
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    found = set()
    for path in [*root.rglob("*.j2"), *root.rglob("*.vue")]:
        found |= {m for m in PATTERN.findall(path.read_text(errors="ignore")) if m[0] in NAMES}
    found |= {m for m in PATTERN.findall(settings.assets.fontawesome_path + "/") if m[0] in NAMES}
    return found


def cache_dir() -> Path:
    """Solara's CDN proxy cache directory."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def is_cached(cache: Path, name: str, version: str) -> bool:
    """Whether ``name@version`` is unpacked in ``cache``."""
    target = cache / f"{name}@{version}"
    return target.is_dir() and any(target.iterdir())


def missing() -> list[str]:
    """``name@version`` of each wanted package not in the cache: the server fetches those from the CDN."""
    cache = cache_dir()
    return sorted(f"{name}@{version}" for name, version in wanted_packages() if not is_cached(cache, name, version))


def cdn_reachable(timeout: float = 2.0) -> bool:
    """Whether Solara's CDN host accepts a connection (HTTPS port)."""
    import socket
    from urllib.parse import urlparse

    from solara import settings

    try:
        socket.create_connection((urlparse(settings.assets.cdn).hostname, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def install(name: str, version: str, cache: Path) -> bool:
    """Unpack ``name@version`` from the npm registry into ``cache``; False if it was already there."""
    target = cache / f"{name}@{version}"
    if is_cached(cache, name, version):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}", "--pack-destination", tmp],
                       check=True, capture_output=True, timeout=300)
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/")]
            for m in members:
                m.name = m.name.removeprefix("package/")
            tar.extractall(target, members=members, filter="data")
    return True


def main() -> int:
    """Install every wanted package; print one line per package."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    for name, version in sorted(wanted_packages()):
        try:
            fresh = install(name, version, cache)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"error: {name}@{version}: {exc}", file=sys.stderr)
            return 1
        print(f"{'installed' if fresh else 'cached   '} {name}@{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

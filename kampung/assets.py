"""Static files as a phone on 3G should get them, served by WhiteNoise in front of the app.

Each file of static/ is copied under a name that holds a hash of its content
(`css/app.3f2a1b9c0d4e.css`: a changed file is a new URL, so the old one can be cached for
good) and under its own name (old links, and files that load each other by name), each with
gzip and brotli copies made once. `url_for("static", filename=...)` gives the hashed name.

The copies are made at start, into instance/static/, whenever static/ has changed since they
were last made; a lock keeps the workers of one server from making them twice.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask, request
from whitenoise import WhiteNoise

from kampung import security

try:
    import brotli
except ImportError:  # optional: gzip alone when the Brotli package is missing
    brotli = None

HASH_LENGTH = 12
#: a name made by hashed_name(): its content never changes, so it is cached for good
HASHED = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(\.[^./]+)?$")
#: formats that are compressed already
PACKED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".zip", ".gz", ".br"}
#: files that another static file loads by their own name, so their URL keeps it (a name, or
#: a folder ending in "/"): qr-scanner.min.js imports "./qr-scanner-worker.min.js", and the
#: scanner's ES modules import each other as "./roster.js"; the scanner's service worker must
#: keep those very URLs for the page to start offline, and one rule for the whole folder
#: keeps its modules of one release together
BY_NAME = ("vendor/qr-scanner/qr-scanner-worker.min.js", "js/scanner/")
#: a plain name may change content with the next release: a minute, then ask again
PLAIN_MAX_AGE = 60

#: the manifest last found up to date, by folder and by the size and time of every file
_fresh: dict[tuple, dict[str, str]] = {}


def hashed_name(name: str, content: bytes) -> str:
    """`css/app.css` -> `css/app.<hash>.css`; `LICENSE` -> `LICENSE.<hash>`."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    base = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{base}" if folder else base


def loaded_by_name(name: str) -> bool:
    """Whether url_for gives this file under its own name (BY_NAME), not its hashed one."""
    return any(
        name == entry or (entry.endswith("/") and name.startswith(entry)) for entry in BY_NAME
    )


def _sources(source: Path) -> list[Path]:
    return sorted(path for path in source.rglob("*") if path.is_file())


def manifest_of(source: Path) -> dict[str, str]:
    """Every file of the folder by its name (with /), to its hashed name."""
    return {
        path.relative_to(source).as_posix(): hashed_name(
            path.relative_to(source).as_posix(), path.read_bytes()
        )
        for path in _sources(source)
    }


def _read_manifest(path: Path) -> dict[str, str] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _put(path: Path, data: bytes, mtime: float) -> None:
    """Whole or not at all: a server reading the folder meanwhile never sees half a file; a
    file that already holds these bytes is left as it is."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.utime(partial, (mtime, mtime))  # the same ETag and Last-Modified after every rebuild
    os.replace(partial, path)


def _encoded(name: str, data: bytes) -> dict[str, bytes]:
    """The file as served: as it is, and its compressed copies where they save something."""
    copies = {"": data}
    if Path(name).suffix.lower() in PACKED or not data:
        return copies
    if brotli is not None:
        copies[".br"] = brotli.compress(data)
    copies[".gz"] = gzip.compress(data, compresslevel=9, mtime=0)
    return {suffix: body for suffix, body in copies.items() if len(body) < len(data) or not suffix}


def build(source: Path, target: Path) -> dict[str, str]:
    """Make target/files/ from source (see the module's doc) unless it is up to date already;
    return the manifest {name: hashed name}. Hashed names of earlier builds stay, so that a
    page still open on a phone loads its files."""
    files = _sources(source)
    key = (source, target, tuple((p, p.stat().st_size, p.stat().st_mtime_ns) for p in files))
    manifest_path = target / "manifest.json"
    if key in _fresh and manifest_path.exists():
        return _fresh[key]
    manifest = manifest_of(source)
    if _read_manifest(manifest_path) != manifest:
        target.mkdir(parents=True, exist_ok=True)
        with open(target / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            # Another worker may have made it while this one waited for the lock.
            if _read_manifest(manifest_path) != manifest:
                _copy(source, target / "files", manifest)
                _put(manifest_path, json.dumps(manifest, indent=1).encode(), 0)
    _fresh[key] = manifest
    return manifest


def _copy(source: Path, files: Path, manifest: dict[str, str]) -> None:
    for name, hashed in manifest.items():
        path = source / name
        copies = _encoded(name, path.read_bytes())
        for out in (hashed, name):
            for suffix, body in copies.items():
                _put(files / (out + suffix), body, path.stat().st_mtime)
            for suffix in {".gz", ".br"} - copies.keys():  # one that no longer saves anything
                (files / (out + suffix)).unlink(missing_ok=True)
    # A file removed from static/ is no longer served under its own name.
    for path in list(files.rglob("*")):
        plain = path.relative_to(files).as_posix().removesuffix(".gz").removesuffix(".br")
        if path.is_file() and plain not in manifest and not HASHED.search(plain):
            path.unlink()
    for folder in sorted(files.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def static_folder(app: Flask) -> Path:
    """The app's own static files (create_app always names their folder)."""
    if app.static_folder is None:
        raise RuntimeError("the app has no static folder")
    return Path(app.static_folder)


def init_app(app: Flask) -> None:
    source = static_folder(app)
    target = Path(app.instance_path) / "static"
    manifest = build(source, target)
    prefix = (app.static_url_path or "").strip("/") + "/"

    @app.url_defaults
    def _hashed_static_url(endpoint: str, values: dict) -> None:
        name = values.get("filename")
        if endpoint == "static" and name in manifest and not loaded_by_name(name):
            values["filename"] = manifest[name]

    build_url: Callable[..., str] = app.jinja_env.globals["url_for"]  # type: ignore[assignment]
    #: (script root, file name) -> its URL: fixed while the app runs, asked for 4 times a page
    static_urls: dict[tuple[str, str], str] = {}

    def template_url_for(endpoint: str, **values) -> str:
        """url_for in templates; a static file's URL is built once per script root."""
        if endpoint != "static" or len(values) != 1 or "filename" not in values or not request:
            return build_url(endpoint, **values)
        key = (request.script_root, values["filename"])
        if (url := static_urls.get(key)) is None:
            url = static_urls[key] = build_url(endpoint, **values)
        return url

    app.jinja_env.globals["url_for"] = template_url_for
    secure = app.config["SESSION_COOKIE_SECURE"]

    def add_headers(headers, path: str, url: str) -> None:
        for name, value in security.HEADERS.items():
            headers[name] = value
        if secure:
            headers["Strict-Transport-Security"] = security.HSTS

    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]  # Flask's way to add middleware
        app.wsgi_app,
        root=target / "files",
        prefix=prefix,
        max_age=PLAIN_MAX_AGE,
        allow_all_origins=False,
        add_headers_function=add_headers,
        immutable_file_test=lambda path, url: bool(HASHED.search(url)),
    )

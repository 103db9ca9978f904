"""Static files: cache-busting URLs, a year's caching for them, and gzip for text files.

`url_for('static', filename=...)` adds `?v=<version>`, a hash of the file as served. Our ES modules import
each other by relative URL, which would drop that query; so when a module is served its imports carry
their versions too (`"./room-core.js"` becomes `"./room-core.js?v=..."`), and a module's version covers
every module it reaches: changing any file gives new URLs to everything that leads to it. A request whose
`v` is the file's current version may be kept for a year without asking again (`immutable`); any other
(no version, or an old page's during a deploy) gets `no-cache` and an ETag, so it is checked every time.

Text files (JS, CSS, SVG, JSON) are kept in memory as served and gzip-compressed once; clients that
accept gzip get the compressed bytes (`Vary: Accept-Encoding`). Only static files are compressed: pages
and API responses carry secrets (link tokens, CSRF tokens) next to text people typed, which compression
would expose to a BREACH-style attack (docs/security.md). Files are checked for changes (size and
modification time) whenever a URL is made or a file served, so an edited file gets a new version at once.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import posixpath
import re
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from markupsafe import Markup, escape
from werkzeug.security import safe_join

#: For a URL whose version is the file's current one: its content can never change.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Anything else: may be kept, but checked with the server (ETag) before each use.
REVALIDATE = "no-cache"
#: Files kept in memory, served with their imports versioned, and compressed.
TEXT = (".js", ".mjs", ".css", ".svg", ".json", ".map", ".txt")
MODULES = (".js", ".mjs")
IN_MEMORY_LIMIT = 1 << 20
VERSION_LENGTH = 12

#: A relative module specifier in `import ... from "./x.js"`, `export ... from "./x.js"`, `import "./x.js"`
#: or `import("./x.js")`. Only specifiers that name an existing static file are rewritten.
_IMPORT = re.compile(r"""(?P<head>\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)(?P<q>["'])(?P<spec>\.\.?/[^"'?#\s]+)(?P=q)""")


@dataclass(frozen=True)
class _Import:
    spec: str  # as written: "./room-core.js"
    target: str  # the static file it names: "js/room-core.js"
    dynamic: bool  # import("..."): loaded when the code asks, not before the module runs


@dataclass(frozen=True)
class _Source:
    stamp: tuple[int, int]  # (mtime_ns, size): a change of either is a new file
    digest: str
    data: bytes | None  # text files only
    imports: tuple[_Import, ...]


@dataclass(frozen=True)
class Served:
    """A text file as it is sent: its version, its bytes (imports versioned) and their gzip form."""

    version: str
    body: bytes
    gzipped: bytes | None  # None when compression would not make it smaller
    mimetype: str


class StaticFiles:
    """The versions and served forms of the files in one static folder, kept until a file changes.

    Shared by every app serving the same folder. Two requests computing the same entry at once both
    compute it and store the same value: no lock is needed.
    """

    def __init__(self, folder: str):
        self.folder = folder
        self._sources: dict[str, _Source] = {}
        self._served: dict[str, Served] = {}

    def _path(self, name: str) -> str | None:
        path = safe_join(self.folder, name)
        return path if path is not None and os.path.isfile(path) else None

    def _source(self, name: str) -> _Source | None:
        path = self._path(name)
        if path is None:
            return None
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._sources.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        with open(path, "rb") as f:
            data = f.read()
        text = name.endswith(TEXT) and len(data) <= IN_MEMORY_LIMIT
        imports = tuple(self._imports(name, data)) if text and name.endswith(MODULES) else ()
        source = _Source(stamp, hashlib.sha256(data).hexdigest(), data if text else None, imports)
        self._sources[name] = source
        return source

    def _imports(self, name: str, data: bytes):
        base = posixpath.dirname(name)
        for match in _IMPORT.finditer(data.decode("utf-8", "replace")):
            target = posixpath.normpath(posixpath.join(base, match["spec"]))
            if target.startswith("../") or self._path(target) is None:
                continue
            yield _Import(match["spec"], target, dynamic="(" in match["head"])

    def _closure(self, name: str, *, static_only: bool = False) -> dict[str, _Source]:
        """The file and every module it imports, directly or not (cycles are fine)."""
        found: dict[str, _Source] = {}
        todo = [name]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            source = self._source(current)
            if source is None:
                continue
            found[current] = source
            todo.extend(i.target for i in source.imports if not (static_only and i.dynamic))
        return found

    def version(self, name: str) -> str | None:
        """The file's version: a hash of its content and of every module it reaches; None if no such file."""
        closure = self._closure(name)
        if name not in closure:
            return None
        if len(closure) == 1:
            return closure[name].digest[:VERSION_LENGTH]
        h = hashlib.sha256()
        for member in sorted(closure):
            h.update(f"{member}\0{closure[member].digest}\n".encode())
        return h.hexdigest()[:VERSION_LENGTH]

    def preloads(self, name: str) -> list[str]:
        """The modules `name` imports before it runs (directly or not), for <link rel="modulepreload">."""
        return sorted(n for n in self._closure(name, static_only=True) if n != name)

    def served(self, name: str) -> Served | None:
        """The text file as it is sent; None for a missing or binary file (those are sent from disk)."""
        source = self._source(name)
        if source is None or source.data is None:
            return None
        version = self.version(name)
        cached = self._served.get(name)
        if cached is not None and cached.version == version:
            return cached
        body = source.data
        if source.imports:
            versions = {i.spec: self.version(i.target) for i in source.imports}

            def versioned(m: re.Match) -> str:
                v = versions.get(m["spec"])
                return m[0] if v is None else f"{m['head']}{m['q']}{m['spec']}?v={v}{m['q']}"

            body = _IMPORT.sub(versioned, body.decode("utf-8")).encode("utf-8")
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        served = Served(version, body, packed if len(packed) < len(body) else None, mimetype)
        self._served[name] = served
        return served


_folders: dict[str, StaticFiles] = {}


def files(app: Flask | None = None) -> StaticFiles:
    """The static files of the app (by default the current one)."""
    folder = str((app or current_app).static_folder)
    if folder not in _folders:
        _folders[folder] = StaticFiles(folder)
    return _folders[folder]


def add_version(endpoint: str, values: dict) -> None:
    """url_for('static', filename=...) gets ?v=<version> (url_defaults hook)."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = files().version(values["filename"])
        if version is not None:
            values["v"] = version


def serve(filename: str):
    """A static file: from memory (gzip if accepted) for text files, from disk for others; cached for a
    year when asked for by its current version, otherwise revalidated."""
    static = files()
    served = static.served(filename)
    wanted = request.args.get("v")
    if served is None:
        response = current_app.send_static_file(filename)  # 404 for a missing file
        if wanted is not None and wanted == static.version(filename):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
    packed = served.gzipped is not None and request.accept_encodings.quality("gzip") > 0
    response = current_app.response_class(served.gzipped if packed else served.body, mimetype=served.mimetype)
    if served.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if packed:
        response.headers["Content-Encoding"] = "gzip"
    # A different ETag per encoding: the two are different bytes, and a cache must not mix them up.
    response.set_etag(f"{served.version}-gzip" if packed else served.version)
    response.headers["Cache-Control"] = IMMUTABLE if wanted == served.version else REVALIDATE
    return response.make_conditional(request)


def module_preloads(*entries: str) -> Markup:
    """<link rel="modulepreload"> for each entry module and everything it imports before it runs, so the
    browser fetches them in parallel instead of one after another (script-src 'self' covers them)."""
    static = files()
    names: list[str] = []
    for entry in entries:
        for name in [entry, *static.preloads(entry)]:
            if name not in names:
                names.append(name)
    links = (f'<link rel="modulepreload" href="{escape(url_for("static", filename=name))}">' for name in names)
    return Markup("\n  ".join(links))


def init_app(app: Flask) -> None:
    """Serve static files through `serve`, version their URLs, give templates `module_preloads`."""
    if app.static_folder is None:
        return
    app.view_functions["static"] = serve
    app.url_defaults(add_version)
    app.jinja_env.globals["module_preloads"] = module_preloads

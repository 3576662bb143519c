"""Sphinx extension for this book: list each page script once.

Sphinx 7 registers a script that has a body but no file (``app.add_js_file(None, body=...)``)
twice when an extension adds it after the builder has started: once with the file name
``None`` and once with ``''``. sphinx-thebe adds its configuration that way, and the second
copy then fails in the browser ("Identifier 'THEBE_JS_URL' has already been declared").
This extension drops such repeats from every page before it is written.
"""

from __future__ import annotations


def _key(script) -> tuple:
    return (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    seen: set[tuple] = set()
    unique = []
    for script in context.get("script_files", []):
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

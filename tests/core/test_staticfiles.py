"""The production storage of static files (vanban.core.staticfiles): hashed names, with gzip and
Brotli copies that whitenoise serves to browsers that accept them."""

import gzip
import json

import brotli
from django.core.management import call_command

PDFJS = "vanban/vendor/pdfjs/pdf.worker.min.mjs"


def test_collectstatic_writes_hashed_files_with_gzip_and_brotli_copies(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "vanban.core.staticfiles.StaticStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = json.loads((tmp_path / "staticfiles.json").read_text("utf-8"))["paths"][PDFJS]
    assert hashed != PDFJS
    original = (tmp_path / hashed).read_bytes()
    assert len(original) > 1_000_000
    compressed = (tmp_path / f"{hashed}.br").read_bytes()
    # Made at quality 9 (not Brotli's default 11), a third of the size or less, and the same
    # bytes once decompressed.
    assert compressed == brotli.compress(original, quality=9)
    assert compressed != brotli.compress(original)
    assert len(compressed) < len(original) / 3
    assert brotli.decompress(compressed) == original
    assert gzip.decompress((tmp_path / f"{hashed}.gz").read_bytes()) == original

"""Static files as whitenoise serves them: hashed names, and gzip and Brotli copies made once by
`collectstatic` (the first command, and each upgrade).

Brotli at quality 9 rather than its default 11: the vendored PDF.js (1.9 MB) and the DejaVu fonts
take about 20 times as long at 11 for copies about 9 % smaller (1.11 MB against 1.21 MB for the
largest files), and `collectstatic` is part of the first command a new user waits for.
"""

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 9


class QuickBrotliCompressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        # Called only when Brotli is installed (whitenoise checks; fonttools brings it).
        import brotli

        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))


class StaticStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return QuickBrotliCompressor(**kwargs)

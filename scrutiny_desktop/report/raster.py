"""PDF pages as pixels, for printing: the exported PDF itself is what is printed.

PDFium (through pypdfium2, which carries its own build of it) draws each page;
nothing here knows about Qt, so the window paints the rows it is handed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Finer than this adds nothing on paper and costs memory (an A4 page at 300 dpi is 26 MB).
MAX_DPI = 300


@dataclass(frozen=True)
class PageImage:
    """One page as 24-bit RGB rows, top to bottom, ``stride`` bytes apart."""

    number: int  # 1-based
    width: int
    height: int
    stride: int
    rgb: bytes
    #: The page's size in points (1/72 inch), for placing it on the paper.
    width_pt: float
    height_pt: float


def page_count(pdf: Path | bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def render_pages(pdf: Path | bytes, pages: list[int], dpi: int) -> Iterator[PageImage]:
    """Each page of ``pages`` (1-based, in order) drawn at ``dpi`` (at most MAX_DPI)."""
    import pypdfium2

    dpi = max(72, min(dpi, MAX_DPI))
    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        for number in pages:
            page = document[number - 1]
            try:
                width_pt, height_pt = page.get_size()
                bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
                try:
                    image = bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
            yield PageImage(number=number, width=image.width, height=image.height,
                            stride=image.width * 3, rgb=image.tobytes(),
                            width_pt=width_pt, height_pt=height_pt)
    finally:
        document.close()

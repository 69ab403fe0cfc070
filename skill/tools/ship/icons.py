"""Store icons (tools layer): the skill's 108x108 and 512x512 PNG icons, rendered from one SVG.

``skill/tools/ship/images/icon.svg`` is the source. ``python -m skill.tools.ship.icons`` renders it with
CairoSVG (a dev dependency; it needs the system's libcairo 2) into ``icon-108.png`` and
``icon-512.png`` beside it, which are committed and shipped as package data, so packaging never
needs a renderer. ``--check`` renders into memory and compares pixels with the committed files
(exit 1 when they differ beyond :data:`TOLERANCE`, say after an SVG edit without a re-render).

CairoSVG rather than a headless browser: one library call, no browser process or window size to
get right, and the same libcairo gives the same bytes. :func:`png_size` reads a PNG's size from its
header with the standard library, so ``validate`` and ``package`` check icons without CairoSVG.
"""

from __future__ import annotations

import argparse
import importlib.resources
import io
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

#: Alexa's icon sizes: (manifest field, pixels).
ICON_SIZES: dict[str, int] = {"smallIconUri": 108, "largeIconUri": 512}
SOURCE = "icon.svg"
#: Largest mean difference per channel (0-255) between a fresh render and a committed PNG.
TOLERANCE = 2.0
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def icon_name(pixels: int) -> str:
    return f"icon-{pixels}.png"


def images_dir() -> Path:
    """The folder holding the SVG and the committed PNGs (package data of ``skill.tools.ship``)."""
    return Path(str(importlib.resources.files("skill.tools.ship").joinpath("images")))


def icon_bytes(field: str) -> bytes:
    """The committed PNG for a manifest field (``smallIconUri`` or ``largeIconUri``)."""
    return importlib.resources.files("skill.tools.ship").joinpath("images", icon_name(ICON_SIZES[field])).read_bytes()


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, or None when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render(svg: bytes, pixels: int) -> bytes:
    """The SVG as a ``pixels`` x ``pixels`` PNG."""
    try:
        import cairosvg  # dev dependency: only re-rendering needs it
    except OSError as exc:  # cairocffi could not load the system library
        raise RuntimeError(f"CairoSVG needs the system's cairo library (apt-get install libcairo2): {exc}") from None
    return cairosvg.svg2png(bytestring=svg, output_width=pixels, output_height=pixels)


def pixel_difference(first: bytes, second: bytes) -> float:
    """Mean absolute difference per RGBA channel between two PNGs of the same size (0-255)."""
    from PIL import Image, ImageChops, ImageStat  # installed with CairoSVG

    a = Image.open(io.BytesIO(first)).convert("RGBA")
    b = Image.open(io.BytesIO(second)).convert("RGBA")
    if a.size != b.size:
        return 255.0
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.tools.ship.icons", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="folder with icon.svg (default: the package's images/)")
    parser.add_argument("--check", action="store_true", help="compare a fresh render with the PNGs instead of writing")
    args = parser.parse_args(argv)
    folder = args.dir or images_dir()
    svg = (folder / SOURCE).read_bytes()
    stale = []
    for pixels in sorted(ICON_SIZES.values()):
        png = render(svg, pixels)
        path = folder / icon_name(pixels)
        if args.check:
            if not path.is_file() or pixel_difference(png, path.read_bytes()) > TOLERANCE:
                stale.append(path.name)
        else:
            path.write_bytes(png)
            print(f"wrote {path} ({pixels}x{pixels})")
    if stale:
        print(f"{', '.join(stale)} differ from {SOURCE}: run python -m skill.tools.ship.icons", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

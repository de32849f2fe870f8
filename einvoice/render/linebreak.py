"""Line breaking in time linear in the text's length.

WeasyPrint finds each line of a text box by handing Pango the whole rest of the box's text
(``weasyprint.text.line_break.split_first_line``); Pango lays all of it out to report the first
line. A text of n characters on L lines thus costs n·L, and where a word is broken by characters
(``overflow-wrap: anywhere``: the min-content width of a table cell puts each character on a line
of its own) n²: a 2,000-character item name took 23 s, a 5,000-character note over two minutes.

:func:`install` wraps that function so that Pango gets a prefix of the text: as much as the first
line can hold (WeasyPrint's own estimate, four characters per em) and a margin beyond it, doubled
until the first line ends at least that margin before the prefix does. What follows the margin
plays no part in where the first line breaks, so the lines, their widths and the page are the
same as before; each line costs what its own length and the margin cost. The wrapper only steps
in for texts longer than :data:`SHORT` with a width to break in; anything else goes to WeasyPrint
unchanged, and so does everything if WeasyPrint's function is not the one this was written for.
"""

from __future__ import annotations

import inspect
import threading

SHORT = 256  # characters: shorter texts go to WeasyPrint as they are
MARGIN = 16  # characters at least of the text kept after the first line (and the estimated line length)
_PARAMS = ["text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"]
_lock = threading.Lock()
_installed = False


def bounded(original):
    """``split_first_line`` of WeasyPrint, handing Pango a prefix of a long text (see the module)."""

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        args = (style, context, max_width, justification_spacing, is_line_start, minimum)
        font_size = style["font_size"]
        if max_width is None or len(text) <= SHORT or not font_size:
            return original(text, *args)
        try:
            per_line = int(max(0.0, float(max_width)) / float(font_size) * 4)
        except (TypeError, ValueError, OverflowError):
            return original(text, *args)
        margin = max(MARGIN, per_line)
        size = 2 * margin + per_line
        while size < len(text):
            prefix = text[:size]
            result = original(prefix, *args)
            resume = result[2]  # (UTF-8 bytes of the prefix before the second line; None: all of it on one line)
            if resume is not None and len(prefix.encode()[resume:].decode()) >= margin:
                return result
            size *= 2
        return original(text, *args)

    split_first_line.__wrapped__ = original
    return split_first_line


def install() -> bool:
    """Let WeasyPrint's layout break lines through :func:`bounded` (once; a no-op when its function differs)."""
    global _installed
    with _lock:
        if _installed:
            return True
        try:
            from weasyprint.layout import inline, preferred
            from weasyprint.text import line_break
        except ImportError:  # pragma: no cover - weasyprint is a dependency
            return False
        original = line_break.split_first_line
        if list(inspect.signature(original).parameters) != _PARAMS or any(
                getattr(m, "split_first_line", None) is not original for m in (inline, preferred)):
            return False
        wrapped = bounded(original)
        inline.split_first_line = wrapped
        preferred.split_first_line = wrapped
        _installed = True
        return True

"""A human view of any invoice: printable HTML and PDF in nb, sv, da, en, de or fr.

``render_html(invoice, lang, findings=None)`` / ``render_pdf(invoice, lang, pdfa=True, findings=None)`` take an
:class:`~einvoice.model.invoice.Invoice`; ``einvoice.syntax.load(path_or_bytes)`` reads
UBL, CII or a Factur-X / ZUGFeRD PDF into a Document first. ``findings`` (``einvoice.validate.validation_errors(doc)``:
the document's blocking findings) puts a box at the top of the page of a document that does not pass.
"""

from .i18n import LANGS
from .render import build_view, html_to_pdf, render_html, render_pdf

__all__ = ["LANGS", "build_view", "html_to_pdf", "render_html", "render_pdf"]

"""Structure-table checks whose paths are absolute select once per document, not once per context
element: a CII invoice with many lines must not walk the document again for each line (a check of a
line that asks for a header element, a predicate that asks whether the document has some element).
Counted in the children the selections start from, not in seconds: the work for 400 lines is about four times the work for 100."""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

from einvoice import syntax
from einvoice.rules import tree
from einvoice.validate import validate_document

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "facturx-en16931.xml"


def _steps(lines: int, monkeypatch) -> int:
    root = etree.fromstring(SAMPLE.read_bytes())
    line = next(root.iter(RAM + "IncludedSupplyChainTradeLineItem"))
    for _ in range(lines - 1):
        line.addnext(copy.deepcopy(line))
    doc = syntax.read_tree(root)
    count = [0]
    select = tree.select

    def counting(node, steps):  # the children a selection may look at: a measure of its work
        count[0] += 1 + (len(node) if not isinstance(node, str) else 0)
        return select(node, steps)

    monkeypatch.setattr(tree, "select", counting)
    validate_document(doc, profile="facturx-en16931", schema=False)
    monkeypatch.undo()
    return count[0]


def test_path_steps_grow_linearly_with_the_lines(monkeypatch):
    small, large = _steps(100, monkeypatch), _steps(400, monkeypatch)
    assert large <= 5 * small, (small, large)

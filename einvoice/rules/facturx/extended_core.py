"""EN 16931's rules as Factur-X EXTENDED runs them: the en16931 layer without the ids its file replaces or leaves out,
nor those the EXTENDED table checks with the file's own tests (the file's reading alone decides those, as the
official EXTENDED validator does: CEN's stricter reading of a rule, a blank item name, does not bind an extension)."""
from ...profiles import layer
from ..engine import load_yaml
from ..tree import STRUCTURE
from .profiles import table

OWN = frozenset(r for r in table("facturx-extended").rule_ids if r.startswith("BR-") and not r.startswith("BR-FXEXT"))
EN16931 = layer("en16931").without(frozenset(load_yaml(STRUCTURE / "facturx-extended-en16931.yaml")["left_out"]) | OWN)

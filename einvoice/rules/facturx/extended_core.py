"""EN 16931's rules as Factur-X EXTENDED runs them: the en16931 layer without the ids its file replaces or leaves out."""
from ...profiles import layer
from ..engine import load_yaml
from ..tree import STRUCTURE

EN16931 = layer("en16931").without(frozenset(load_yaml(STRUCTURE / "facturx-extended-en16931.yaml")["left_out"]))

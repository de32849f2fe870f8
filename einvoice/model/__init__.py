"""The semantic model of an invoice in EN 16931 terms (business terms BT-*, groups BG-*)."""

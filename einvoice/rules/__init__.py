"""Rule layers: EN 16931, Peppol BIS, national, Factur-X profile and house policy."""

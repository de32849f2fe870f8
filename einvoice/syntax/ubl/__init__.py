"""UBL 2.1 binding (Peppol BIS Billing 3.0 / EHF Billing 3.0): reader, writer and syntax rules."""

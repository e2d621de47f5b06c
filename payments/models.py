"""Card binding, the co-pay ledger's charges and purchases: built by the co-pay issue."""

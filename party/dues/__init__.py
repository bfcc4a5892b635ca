"""党费: each member's monthly base, the ledger of what is owed and paid, who is behind, reports."""

"""Who may see what: accounts, roles, township scope, masking rules and the audit log (no Streamlit)."""

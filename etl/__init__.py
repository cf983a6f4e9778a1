"""ETL: from the bureau's spreadsheets to a validated DuckDB warehouse."""

"""orgdash: the command line that ties the ETL, the warehouse queries and the dashboard together."""

"""SLA in the database: the rule of domain/sla.py as SQL filters, and the sweeper that
writes at-risk and breach notices."""

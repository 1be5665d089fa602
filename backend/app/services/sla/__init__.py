"""SLA in the database: the rule of domain/sla.py as SQL filters, the sweeper that
writes at-risk and breach notices, and the escalation sweep its leader loop also runs."""
